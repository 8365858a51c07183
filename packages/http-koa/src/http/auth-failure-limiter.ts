/**
 * Counts failed authentications per client: a client that fails `maxFailures` times within
 * `windowMs` is blocked (429) until the window has passed. The caller asks only after a credential
 * failed to verify, so a valid credential is never refused here.
 */
export class AuthFailureLimiter {
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
    /** Clients tracked at most; beyond it the oldest windows are forgotten first. */
    private readonly maxClients = 10_000,
  ) {}

  isBlocked(client: string): boolean {
    const entry = this.#current(client);
    return entry !== undefined && entry.count >= this.maxFailures;
  }

  recordFailure(client: string): void {
    const entry = this.#current(client) ?? { count: 0, windowStart: this.now() };
    entry.count++;
    this.#failures.set(client, entry);
    if (this.#failures.size > this.maxClients) this.#prune();
  }

  get trackedClients(): number {
    return this.#failures.size;
  }

  #prune(): void {
    for (const [key, value] of this.#failures)
      if (this.now() - value.windowStart >= this.windowMs) this.#failures.delete(key);
    // Still too many live windows: forget the oldest (Map order is insertion order).
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.maxClients) break;
      this.#failures.delete(key);
    }
  }

  #current(client: string): { count: number; windowStart: number } | undefined {
    const entry = this.#failures.get(client);
    if (entry && this.now() - entry.windowStart >= this.windowMs) {
      this.#failures.delete(client);
      return undefined;
    }
    return entry;
  }
}
