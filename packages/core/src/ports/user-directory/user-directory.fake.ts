import type { DirectoryUser } from '../../domain/user.js';
import { UpstreamUnavailableError } from '../../errors/errors.js';
import type { CallOptions } from '../signal.js';
import type { UserDirectory } from './user-directory.port.js';

/** A mutable in-memory directory; `failPage(n)` makes the n-th page of the next listing fail. */
export class InMemoryUserDirectory implements UserDirectory {
  readonly #users = new Map<string, DirectoryUser>();
  #failAtPage: number | undefined;
  #down = false;
  requestCount = 0;

  constructor(users: Iterable<DirectoryUser> = []) {
    for (const user of users) this.put(user);
  }

  put(user: DirectoryUser): void {
    this.#users.set(user.id, { ...user, groups: [...user.groups] });
  }

  update(id: string, change: Partial<Omit<DirectoryUser, 'id'>>): void {
    const user = this.#users.get(id);
    if (!user) throw new Error(`no user ${id}`);
    this.#users.set(id, { ...user, ...change });
  }

  remove(id: string): void {
    this.#users.delete(id);
  }

  failPage(pageIndex: number): void {
    this.#failAtPage = pageIndex;
  }

  setDown(down: boolean): void {
    this.#down = down;
  }

  async *listUsers(opts: CallOptions & { pageSize?: number } = {}): AsyncIterable<readonly DirectoryUser[]> {
    const pageSize = opts.pageSize ?? 100;
    const all = [...this.#users.values()];
    for (let page = 0; page * pageSize < all.length || page === 0; page++) {
      await this.#enter(opts);
      if (this.#failAtPage === page) {
        this.#failAtPage = undefined;
        throw new UpstreamUnavailableError(`page ${page} failed`);
      }
      const slice = all.slice(page * pageSize, (page + 1) * pageSize);
      if (slice.length === 0) return;
      yield slice;
    }
  }

  async listUserIds(opts: CallOptions = {}): Promise<readonly string[]> {
    await this.#enter(opts);
    return [...this.#users.keys()];
  }

  async listDisabledUserIds(opts: CallOptions = {}): Promise<readonly string[]> {
    await this.#enter(opts);
    return [...this.#users.values()].filter((u) => !u.enabled).map((u) => u.id);
  }

  async getUser(id: string, opts: CallOptions = {}): Promise<DirectoryUser | undefined> {
    await this.#enter(opts);
    const user = this.#users.get(id);
    return user ? { ...user, groups: [...user.groups] } : undefined;
  }

  async getUserGroups(id: string, opts: CallOptions = {}): Promise<readonly string[] | undefined> {
    await this.#enter(opts);
    return this.#users.get(id)?.groups;
  }

  async #enter(opts: CallOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.requestCount++;
    if (this.#down) throw new UpstreamUnavailableError('directory is down');
  }
}
