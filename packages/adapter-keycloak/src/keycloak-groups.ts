import { ConflictError, normalizeGroups, type CallOptions } from '@keycloak-exapp/core';
import type { GroupRepresentation } from './keycloak.dto.js';
import type { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';

/** The attribute that marks a Keycloak group as created by this project (the only ones it touches). */
export const MANAGED_GROUP_ATTRIBUTE = 'nextcloud_group';

/** The managed groups of one realm: their ids (cached by name), members, and joining and leaving. */
export class KeycloakManagedGroups {
  readonly #groupIds = new Map<string, string>();

  constructor(
    private readonly api: KeycloakAdminApi,
    private readonly realm: string,
    /** Member listings kept in flight at once. */
    private readonly parallelism: number,
  ) {}

  async leave(userId: string, name: string, opts: CallOptions): Promise<void> {
    const groupId = this.#groupIds.get(name);
    if (!groupId) return;
    await this.api.call('users.leaveGroup', { realm: this.realm, user: userId, group: groupId }, opts);
  }

  async join(userId: string, groupId: string, opts: CallOptions): Promise<void> {
    await this.api.call('users.joinGroup', { realm: this.realm, user: userId, group: groupId }, opts);
  }

  async groupsOf(userId: string, opts: CallOptions): Promise<string[]> {
    const groups = await this.api.call(
      'users.groups',
      { realm: this.realm, user: userId, query: { briefRepresentation: false, max: 1000 } },
      opts,
    );
    const managed = groups.filter(isManagedGroup);
    for (const g of managed) this.#groupIds.set(g.name, g.id);
    return normalizeGroups(managed.map((g) => g.name));
  }

  /** Keycloak user id → names of the managed groups they belong to. */
  async membership(opts: CallOptions): Promise<Map<string, string[]>> {
    // Member pages are reduced to ids as they arrive: the map holds one id and a few shared group
    // names per user, never the members' representations.
    const membership = new Map<string, string[]>();
    const addMembersOf = async (group: GroupRepresentation): Promise<void> => {
      for (let first = 0; ; first += 500) {
        const members = await this.api.call(
          'groups.members',
          { realm: this.realm, group: group.id, query: { first, max: 500, briefRepresentation: true } },
          opts,
        );
        for (const { id } of members) {
          const names = membership.get(id);
          if (names) names.push(group.name);
          else membership.set(id, [group.name]);
        }
        if (members.length < 500) return;
      }
    };
    const groups = await this.#list(opts);
    for (let i = 0; i < groups.length; i += this.parallelism) {
      await Promise.all(groups.slice(i, i + this.parallelism).map(addMembersOf));
    }
    for (const [id, names] of membership) if (names.length > 1) membership.set(id, normalizeGroups(names));
    return membership;
  }

  async #list(opts: CallOptions): Promise<GroupRepresentation[]> {
    const all: GroupRepresentation[] = [];
    for (let first = 0; ; first += 500) {
      const page = await this.api.call(
        'groups.list',
        { realm: this.realm, query: { first, max: 500, briefRepresentation: false } },
        opts,
      );
      all.push(...page.filter(isManagedGroup));
      if (page.length < 500) break;
    }
    for (const g of all) this.#groupIds.set(g.name, g.id);
    return all;
  }

  /** Ids of the managed groups with these names, creating the missing ones. */
  async ensure(names: readonly string[], opts: CallOptions): Promise<string[]> {
    if (names.some((n) => !this.#groupIds.has(n))) await this.#list(opts);
    const ids: string[] = [];
    for (const name of names) {
      let id = this.#groupIds.get(name);
      if (!id) {
        id = await this.api
          .call(
            'groups.create',
            { realm: this.realm, body: { name, attributes: { [MANAGED_GROUP_ATTRIBUTE]: ['true'] } } },
            opts,
          )
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === 'CONFLICT') return undefined; // created concurrently
            throw error;
          });
        if (!id) {
          await this.#list(opts);
          id = this.#groupIds.get(name);
        }
        if (!id)
          throw new ConflictError(`group "${name}" exists in Keycloak but was not created by this project`);
        this.#groupIds.set(name, id);
      }
      ids.push(id);
    }
    return ids;
  }
}

function isManagedGroup(group: GroupRepresentation): boolean {
  return (group.attributes?.[MANAGED_GROUP_ATTRIBUTE]?.length ?? 0) > 0;
}
