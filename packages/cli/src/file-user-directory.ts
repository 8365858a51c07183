import type { CallOptions, DirectoryUser, UserDirectory } from '@keycloak-exapp/core';
import { readUsersFile } from './users-file.js';

/**
 * A UserDirectory over a users file (`--users-file`), for demos and embedding: read and checked
 * once, by `open`, before anything else is contacted.
 */
export class FileUserDirectory implements UserDirectory {
  readonly #users: Promise<Map<string, DirectoryUser>>;

  private constructor(users: readonly DirectoryUser[]) {
    this.#users = Promise.resolve(new Map(users.map((u) => [u.id, u])));
  }

  /** Reads the file now; a missing or wrong file is a ConfigurationError here, not mid-sync. */
  static async open(path: string): Promise<FileUserDirectory> {
    return new FileUserDirectory(await readUsersFile(path));
  }

  #load(): Promise<Map<string, DirectoryUser>> {
    return this.#users;
  }

  async *listUsers(opts: CallOptions & { pageSize?: number } = {}): AsyncIterable<readonly DirectoryUser[]> {
    const all = [...(await this.#load()).values()];
    const size = opts.pageSize ?? 500;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  async listUserIds(): Promise<readonly string[]> {
    return [...(await this.#load()).keys()];
  }

  async listDisabledUserIds(): Promise<readonly string[]> {
    return [...(await this.#load()).values()].filter((u) => !u.enabled).map((u) => u.id);
  }

  async getUser(id: string): Promise<DirectoryUser | undefined> {
    return (await this.#load()).get(id);
  }

  async getUserGroups(id: string): Promise<readonly string[] | undefined> {
    return (await this.#load()).get(id)?.groups;
  }
}
