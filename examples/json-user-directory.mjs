// A UserDirectory (the core's port) over a JSON file of users, as a service would plug in its own
// user source: [{ "id", "displayName", "email", "enabled", "groups" }].
import { readFile } from 'node:fs/promises';

export class JsonUserDirectory {
  #users;

  constructor(path) {
    this.path = path;
  }

  async #load() {
    this.#users ??= readFile(this.path, 'utf8').then(
      (text) =>
        new Map(JSON.parse(text).map((u) => [u.id, { enabled: true, groups: [], email: null, ...u }])),
    );
    return this.#users;
  }

  async *listUsers(opts = {}) {
    const all = [...(await this.#load()).values()];
    const size = opts.pageSize ?? 500;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  async listUserIds() {
    return [...(await this.#load()).keys()];
  }

  async listDisabledUserIds() {
    return [...(await this.#load()).values()].filter((u) => !u.enabled).map((u) => u.id);
  }

  async getUser(id) {
    return (await this.#load()).get(id);
  }

  async getUserGroups(id) {
    return (await this.#load()).get(id)?.groups;
  }
}
