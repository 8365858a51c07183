import { CancelledError } from '../../errors/errors.js';

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * Runs one task per key at a time; concurrent callers with the same key share its result.
 *
 * The task gets a signal of its own, not its first caller's: a caller that gives up (its signal
 * aborts) leaves with CANCELLED while the others keep waiting, and the task is aborted only when
 * every caller waiting on it has gone. A caller without a signal never leaves early.
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Flight<T>>();

  run(key: string, task: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    let flight = this.#running.get(key);
    if (!flight) {
      const controller = new AbortController();
      let started: Promise<T>;
      try {
        started = task(controller.signal);
      } catch (error) {
        started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const promise = started.finally(() => {
        if (this.#running.get(key) === flight) this.#running.delete(key);
      });
      promise.catch(() => undefined); // settled for the waiters; no one else listens
      flight = { promise, controller, waiters: 0 };
      this.#running.set(key, flight);
    }
    return this.#join(key, flight, signal);
  }

  #join(key: string, flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
    flight.waiters++;
    if (!signal) return flight.promise;
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        flight.waiters--;
        reject(cancelled(signal));
        if (flight.waiters === 0) {
          // Nobody wants the result any more: stop the work, and let the next caller start afresh.
          if (this.#running.get(key) === flight) this.#running.delete(key);
          flight.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      flight.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  /** Whether work for `key` is in flight. */
  has(key: string): boolean {
    return this.#running.has(key);
  }

  /** Keys with work in flight. */
  get size(): number {
    return this.#running.size;
  }
}

function cancelled(signal: AbortSignal): CancelledError {
  return new CancelledError('the caller gave up waiting', { cause: signal.reason });
}
