import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../../domain/user.js';
import type { UserDirectory } from './user-directory.port.js';

export interface UserDirectoryHarness {
  readonly port: UserDirectory;
  /** Puts users into the backing directory (creating or replacing them). */
  seed(users: readonly DirectoryUser[]): Promise<void>;
  remove(id: string): Promise<void>;
  dispose(): Promise<void>;
}

let counter = 0;
function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Registers the UserDirectory contract: the in-memory fake and the Nextcloud adapter must pass it. */
export function describeUserDirectoryContract(
  name: string,
  setup: () => Promise<UserDirectoryHarness>,
): void {
  describe(`UserDirectory contract · ${name}`, () => {
    let h: UserDirectoryHarness;
    beforeAll(async () => {
      h = await setup();
    }, 120_000);
    afterAll(async () => {
      await h?.dispose();
    });

    it('returns undefined for an unknown user and their groups', async () => {
      expect(await h.port.getUser(uniqueId('missing'))).toBeUndefined();
      expect(await h.port.getUserGroups(uniqueId('missing'))).toBeUndefined();
    });

    it('returns a user with profile, enabled state and groups', async () => {
      const id = uniqueId('alice');
      const user: DirectoryUser = {
        id,
        displayName: 'Alice Adams',
        email: 'alice@example.test',
        enabled: true,
        groups: ['staff', 'design'],
      };
      await h.seed([user]);
      const found = await h.port.getUser(id);
      expect(found).toMatchObject({
        id,
        displayName: 'Alice Adams',
        email: 'alice@example.test',
        enabled: true,
      });
      expect([...(found?.groups ?? [])].sort()).toEqual(['design', 'staff']);
      expect([...((await h.port.getUserGroups(id)) ?? [])].sort()).toEqual(['design', 'staff']);
    });

    it('reports a missing e-mail as null and a disabled user as disabled', async () => {
      const id = uniqueId('bob');
      await h.seed([{ id, displayName: 'Bob Brown', email: null, enabled: false, groups: [] }]);
      expect(await h.port.getUser(id)).toMatchObject({ id, email: null, enabled: false, groups: [] });
      expect(await h.port.listDisabledUserIds()).toContain(id);
    });

    it('round-trips ids with slashes, percent signs, spaces, quotes, unicode and 300 characters', async () => {
      const ids = [
        uniqueId('a/b'),
        uniqueId('100%'),
        uniqueId('a b'),
        uniqueId("o'brien"),
        uniqueId('Zoë'),
        uniqueId('x'.repeat(290)),
      ];
      await h.seed(ids.map((id) => ({ id, displayName: id, email: null, enabled: true, groups: ['g'] })));
      for (const id of ids) expect((await h.port.getUser(id))?.id).toBe(id);
    });

    it('lists every user exactly once across pages, and every id', async () => {
      const ids = Array.from({ length: 7 }, () => uniqueId('page'));
      await h.seed(
        ids.map((id) => ({ id, displayName: `User ${id}`, email: null, enabled: true, groups: [] })),
      );
      const seen: string[] = [];
      for await (const page of h.port.listUsers({ pageSize: 3 })) {
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page.map((u) => u.id));
      }
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
      expect(await h.port.listUserIds()).toEqual(expect.arrayContaining(ids));
    });

    it('forgets a removed user', async () => {
      const id = uniqueId('gone');
      await h.seed([{ id, displayName: 'Gone', email: null, enabled: true, groups: [] }]);
      await h.remove(id);
      expect(await h.port.getUser(id)).toBeUndefined();
      expect(await h.port.listUserIds()).not.toContain(id);
    });
  });
}
