/**
 * Runs tasks with at most `limit` at once and makes whoever adds one wait for a free slot, so a
 * producer that reads a listing page by page never holds more than `limit` tasks (and their users)
 * in memory, however long the listing is.
 */
export class BoundedPool {
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  /** Waits for a free slot, then starts `task`; a task reports its own failures (it must not reject). */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.limit) await Promise.race(this.#running);
    const running: Promise<void> = task().finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Resolves when every started task has finished. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
