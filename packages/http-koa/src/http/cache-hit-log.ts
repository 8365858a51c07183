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
  readonly #tallies = new Map<string, Tally>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.#timer = setInterval(() => this.flush(), windowMs);
    this.#timer.unref();
  }

  record(caller: string, userId: string, clientId: string): void {
    const key = JSON.stringify([caller, userId, clientId]);
    const tally = this.#tallies.get(key);
    if (tally) tally.count++;
    else this.#tallies.set(key, { count: 1, firstAt: this.now() });
  }

  /** Writes one line per (caller, user, client) seen since the last flush. */
  flush(): void {
    const now = this.now();
    for (const [key, tally] of this.#tallies) {
      const [caller, userId, clientId] = JSON.parse(key) as [string, string, string];
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
    this.#tallies.clear();
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}
