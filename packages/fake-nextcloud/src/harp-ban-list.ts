/**
 * HaRP's IP ban (`haproxy_agent.py`, `record_ip_failure` / `is_ip_banned`): failures are kept per
 * client address as timestamps; `HP_BLACKLIST_COUNT` (10) of them within `HP_BLACKLIST_WINDOW`
 * (300 s) ban the address, and a banned address has every `/exapps/…` request dropped
 * (`silent-drop`) until enough failures have aged out of the window.
 */
export class HarpBanList {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures = 10,
    readonly windowMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  recordFailure(address: string): void {
    const at = this.now();
    this.#failures.set(address, [...this.#live(address, at), at]);
  }

  isBanned(address: string): boolean {
    return this.#live(address, this.now()).length >= this.maxFailures;
  }

  /** Failures of `address` still within the window. */
  failures(address: string): number {
    return this.#live(address, this.now()).length;
  }

  clear(): void {
    this.#failures.clear();
  }

  #live(address: string, at: number): number[] {
    const live = (this.#failures.get(address) ?? []).filter((t) => at - t < this.windowMs);
    if (live.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, live);
    return live;
  }
}
