import { toAppError } from '../../errors/errors.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { SingleFlight } from '../shared/single-flight.js';

/**
 * Renewals nobody waits for: a directory check or a token renewed in the background before it
 * runs out. One renewal per key at a time; after a failure (an unreachable upstream) the key is
 * left alone for `retryAfterMs`, so a server that is down is not asked on every request. The
 * failures remembered are bounded (`maxRemembered`; the oldest go first).
 */
export class RenewalAhead {
  /** Keys (user, or user and client) whose last renewal ahead failed, and when. */
  readonly #failedAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly retryAfterMs: number,
    private readonly maxRemembered: number,
    private readonly logger: Logger = noopLogger,
  ) {}

  /**
   * Starts `task` under `key` in `flight`, unless one runs or the last one failed less than
   * `retryAfterMs` ago. A user found disabled or gone is not remembered as a failure: it has been
   * forgotten already (the next request checks in the foreground and is refused).
   */
  start<T>(flight: SingleFlight<T>, key: string, task: (signal: AbortSignal) => Promise<T>): void {
    if (flight.has(key)) return;
    const failedAt = this.#failedAt.get(key);
    if (failedAt !== undefined && this.clock.now() - failedAt < this.retryAfterMs) return;
    flight.run(key, task).then(
      () => this.#failedAt.delete(key),
      (error: unknown) => {
        const { code } = toAppError(error);
        if (code !== 'USER_DISABLED' && code !== 'USER_NOT_FOUND') this.#remember(key);
        this.logger.debug({ code }, 'renewal ahead of expiry failed');
      },
    );
  }

  /** Failures remembered now (at most `maxRemembered`). */
  get rememberedFailures(): number {
    return this.#failedAt.size;
  }

  #remember(key: string): void {
    const now = this.clock.now();
    this.#failedAt.delete(key);
    this.#failedAt.set(key, now);
    if (this.#failedAt.size <= this.maxRemembered) return;
    for (const [k, at] of this.#failedAt) if (now - at >= this.retryAfterMs) this.#failedAt.delete(k);
    // Still too many recent ones: forget the oldest (Map order is insertion order).
    for (const k of this.#failedAt.keys()) {
      if (this.#failedAt.size <= this.maxRemembered) break;
      this.#failedAt.delete(k);
    }
  }
}
