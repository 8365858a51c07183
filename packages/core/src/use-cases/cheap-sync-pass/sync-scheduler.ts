import type { Clock } from '../../ports/clock/clock.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import { toAppError } from '../../errors/errors.js';

export type SyncRunKind = 'cheap' | 'full';

export interface SyncSchedulerOptions {
  /** Runs one pass; must honour the signal. */
  readonly run: (kind: SyncRunKind, signal: AbortSignal) => Promise<unknown>;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly intervalMs?: number;
  /** Every n-th pass is a full profile pass. */
  readonly fullEvery?: number;
  /** ± share of the interval added at random, so replicas do not poll in step. */
  readonly jitter?: number;
  readonly maxBackoffMs?: number;
  readonly random?: () => number;
}

export interface SyncSchedulerStatus {
  readonly passes: number;
  readonly running: boolean;
  readonly consecutiveFailures: number;
  readonly lastError: string | null;
  readonly lastKind: SyncRunKind | null;
}

/**
 * Runs the reconcile passes: every `intervalMs` (default 60 s) with jitter, a full pass every
 * `fullEvery` passes, never two at once, and with exponential backoff while passes fail.
 */
export class SyncScheduler {
  readonly #opts: Required<Omit<SyncSchedulerOptions, 'logger'>> & { logger: Logger };
  #passes = 0;
  #failures = 0;
  #lastError: string | null = null;
  #lastKind: SyncRunKind | null = null;
  #current: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  readonly #stop = new AbortController();

  constructor(options: SyncSchedulerOptions) {
    this.#opts = {
      intervalMs: 60_000,
      fullEvery: 10,
      jitter: 0.1,
      maxBackoffMs: 15 * 60_000,
      random: Math.random,
      logger: noopLogger,
      ...options,
    };
  }

  status(): SyncSchedulerStatus {
    return {
      passes: this.#passes,
      running: this.#current !== undefined,
      consecutiveFailures: this.#failures,
      lastError: this.#lastError,
      lastKind: this.#lastKind,
    };
  }

  /** The delay before the next pass: the jittered interval, or a backoff after failures. */
  nextDelayMs(): number {
    const { intervalMs, jitter, maxBackoffMs, random } = this.#opts;
    const base = this.#failures === 0 ? intervalMs : Math.min(maxBackoffMs, intervalMs * 2 ** this.#failures);
    return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
  }

  start(): void {
    this.#loop ??= (async () => {
      const signal = this.#stop.signal;
      while (!signal.aborted) {
        try {
          await this.#opts.clock.sleep(this.nextDelayMs(), signal);
        } catch {
          return;
        }
        await this.runNow().catch(() => undefined);
      }
    })();
  }

  /** Runs a pass now, or joins the one that is running. */
  runNow(kind?: SyncRunKind): Promise<void> {
    this.#current ??= this.#pass(kind).finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#current?.catch(() => undefined);
    await this.#loop;
  }

  async #pass(forced: SyncRunKind | undefined): Promise<void> {
    const kind: SyncRunKind = forced ?? ((this.#passes + 1) % this.#opts.fullEvery === 0 ? 'full' : 'cheap');
    this.#passes++;
    this.#lastKind = kind;
    try {
      await this.#opts.run(kind, this.#stop.signal);
      this.#failures = 0;
      this.#lastError = null;
    } catch (error) {
      this.#failures++;
      this.#lastError = toAppError(error).message;
      this.#opts.logger.warn(
        { kind, code: toAppError(error).code, failures: this.#failures },
        'reconcile pass failed',
      );
      throw error;
    }
  }
}
