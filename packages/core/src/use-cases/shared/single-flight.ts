/** Runs one task per key at a time; concurrent callers with the same key share its promise. */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running) return running;
    const promise = task().finally(() => {
      this.#running.delete(key);
    });
    this.#running.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.#running.size;
  }
}
