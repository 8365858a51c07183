import type { Logger } from '@keycloak-exapp/core';

interface Tally {
  readonly caller: string;
  readonly userId: string;
  readonly clientId: string;
  count: number;
  readonly firstAt: number;
}

/** caller → user → client → tally: found without building a key string on every request. */
type Tallies = Map<string, Map<string, Map<string, Tally>>>;

/**
 * Token requests answered from the cache, logged in aggregate: one info line per caller, user and
 * client for each window (default a minute) with how many there were, instead of one line per
 * request. A busy consumer then adds a line a minute, not megabytes. Grants, refreshes and refusals
 * are still logged one by one (they reach Keycloak or mean something went wrong).
 */
export class CacheHitLog {
  /** Lines written per turn of the event loop when a window closes. */
  static readonly LINES_PER_TURN = 100;
  #tallies: Tallies = new Map();
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
    let users = this.#tallies.get(caller);
    if (!users) this.#tallies.set(caller, (users = new Map<string, Map<string, Tally>>()));
    let clients = users.get(userId);
    if (!clients) users.set(userId, (clients = new Map<string, Tally>()));
    const tally = clients.get(clientId);
    if (tally) tally.count++;
    else clients.set(clientId, { caller, userId, clientId, count: 1, firstAt: this.now() });
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
  #take(): Iterable<Tally> {
    const closed = this.#tallies;
    this.#tallies = new Map();
    return (function* () {
      for (const users of closed.values()) for (const clients of users.values()) yield* clients.values();
    })();
  }

  #write(tally: Tally, now: number): void {
    this.logger.info(
      {
        audit: 'token',
        caller: tally.caller,
        userId: tally.userId,
        clientId: tally.clientId,
        outcome: 'issued',
        source: 'cache',
        count: tally.count,
        windowMs: now - tally.firstAt,
      },
      'tokens served from the cache',
    );
  }
}
