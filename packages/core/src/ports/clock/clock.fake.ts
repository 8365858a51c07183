import type { Clock } from './clock.port.js';

/** A clock that moves only when told to; `sleep` resolves when `advance` passes its deadline. */
export class ManualClock implements Clock {
  #now: number;
  readonly #sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    this.#now += ms;
    for (const sleeper of [...this.#sleepers]) {
      if (sleeper.until <= this.#now) {
        this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
    }
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const sleeper = { until: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        const i = this.#sleepers.indexOf(sleeper);
        if (i >= 0) this.#sleepers.splice(i, 1);
        reject(signal.reason as Error);
      });
    });
  }
}
