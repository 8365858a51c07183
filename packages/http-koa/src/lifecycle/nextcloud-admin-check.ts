import type { Clock, UserDirectory } from '@keycloak-exapp/core';

/**
 * Whether a Nextcloud user is an admin (member of `admin`), asked of the directory and trusted for
 * `ttlMs`. Entries expire, and at most `maxEntries` are kept, so the cache cannot grow with the
 * number of callers.
 */
export class NextcloudAdminCheck {
  readonly #answers = new Map<string, { isAdmin: boolean; at: number }>();

  constructor(
    private readonly directory: UserDirectory,
    private readonly clock: Clock,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 1_000,
  ) {}

  async isAdmin(userId: string, signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const cached = this.#answers.get(userId);
    if (cached && now - cached.at < this.ttlMs) return cached.isAdmin;
    this.#answers.delete(userId);
    const groups = await this.directory.getUserGroups(userId, { signal });
    const isAdmin = groups?.includes('admin') ?? false;
    this.#answers.set(userId, { isAdmin, at: this.clock.now() });
    if (this.#answers.size > this.maxEntries) this.#prune(now);
    return isAdmin;
  }

  get size(): number {
    return this.#answers.size;
  }

  #prune(now: number): void {
    for (const [user, answer] of this.#answers) if (now - answer.at >= this.ttlMs) this.#answers.delete(user);
    for (const user of this.#answers.keys()) {
      if (this.#answers.size <= this.maxEntries) break;
      this.#answers.delete(user);
    }
  }
}
