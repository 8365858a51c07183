import type { Logger } from '@keycloak-exapp/core';

interface Tally {
  count: number;
  readonly firstAt: number;
}

/**
 * Token requests answered from the cache, logged in aggregate: one info line per caller, user and
 * client for each window (default a minute) with how many there were, instead of one line per
 * request. A busy consumer then adds a line a minute, not megabytes. Grants, refreshes and refusals
 * are still logged one by one (they reach Keycloak or mean something went wrong).
 */
export class CacheHitLog {
  /** Lines written per turn of the event loop when a window closes. */
  static readonly LINES_PER_TURN = 100;
  #tallies = new Map<string, Tally>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#timer = setInterval(() => void this.flush(), windowMs);
    this.#timer.unref();
  }

  record(caller: string, userId: string, clientId: string): void {
    const key = `${caller}\0${userId}\0${clientId}`;
    const tally = this.#tallies.get(key);
    if (tally) tally.count++;
    else this.#tallies.set(key, { count: 1, firstAt: this.now() });
  }

  /**
   * Writes one line per (caller, user, client) seen since the last flush, `LINES_PER_TURN` at a
   * time with the event loop free in between: closing a window over thousands of users does not
   * hold up the requests being answered meanwhile (or block on a full stdout pipe all at once).
   */
  async flush(): Promise<void> {
    const now = this.now();
    const closed = this.#take();
    let written = 0;
    for (const entry of closed) {
      this.#write(entry, now);
      if (++written % CacheHitLog.LINES_PER_TURN === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops the window and writes what it holds at once (shutdown). */
  close(): void {
    clearInterval(this.#timer);
    const now = this.now();
    for (const entry of this.#take()) this.#write(entry, now);
  }

  /** The closed window's tallies; records from now on go to a new one. */
  #take(): Map<string, Tally> {
    const closed = this.#tallies;
    this.#tallies = new Map();
    return closed;
  }

  #write([key, tally]: [string, Tally], now: number): void {
    const [caller, userId, clientId] = key.split('\0') as [string, string, string];
    this.logger.info(
      {
        audit: 'token',
        caller,
        userId,
        clientId,
        outcome: 'issued',
        source: 'cache',
        count: tally.count,
        windowMs: now - tally.firstAt,
      },
      'tokens served from the cache',
    );
  }
}
