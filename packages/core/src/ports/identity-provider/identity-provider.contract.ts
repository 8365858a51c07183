import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealmSpec } from '../../domain/realm.js';
import { Secret } from '../../domain/secret.js';
import { toManagedUserSpec, type DirectoryUser } from '../../domain/user.js';
import { isValidKeycloakUsername } from '../../domain/username.js';
import type { IdentityProvider } from './identity-provider.port.js';

export interface IdentityProviderHarness {
  readonly port: IdentityProvider;
  /** The realm spec the suite reconciles; must contain `grantClientId` with direct access grants. */
  readonly realmSpec: RealmSpec;
  readonly grantClientId: string;
  /** A client in the realm that does not allow the password grant. */
  readonly noGrantClientId: string;
  /** Creates a user the way an admin would by hand: no managed marker. */
  addUnmanagedUser(username: string): Promise<void>;
  dispose(): Promise<void>;
}

/** The standard realm the contract suites use: a public grant client and a browser-only client. */
export function contractRealmSpec(realm: string, consumerClientIds: readonly string[] = []): RealmSpec {
  return {
    realm,
    clients: [
      // Public clients that allow the password grant, as consumer ExApps' clients do.
      ...consumerClientIds.map((clientId) => ({
        clientId,
        publicClient: true,
        standardFlow: true,
        directAccessGrants: true,
        serviceAccount: false,
        redirectUris: [],
        webOrigins: [],
      })),
      {
        clientId: 'contract-grant',
        publicClient: true,
        standardFlow: false,
        directAccessGrants: true,
        serviceAccount: false,
        redirectUris: [],
        webOrigins: [],
      },
      {
        clientId: 'contract-browser',
        publicClient: false,
        standardFlow: true,
        directAccessGrants: false,
        serviceAccount: false,
        redirectUris: ['https://app.example.test/*'],
        webOrigins: ['https://app.example.test'],
      },
    ],
    realmRoles: ['commonground-user'],
    groupClaims: ['groups', 'x_grp'],
  };
}

let counter = 0;
function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

function directoryUser(id: string, change: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id,
    displayName: 'Test User',
    email: `${id.toLowerCase()}@example.test`,
    enabled: true,
    groups: [],
    ...change,
  };
}

/** Registers the IdentityProvider contract: every implementation, fake or real, must pass it. */
export function describeIdentityProviderContract(
  name: string,
  setup: () => Promise<IdentityProviderHarness>,
): void {
  describe(`IdentityProvider contract · ${name}`, () => {
    let h: IdentityProviderHarness;
    let idp: IdentityProvider;
    const password = new Secret('Contract-Password-1234567890');

    beforeAll(async () => {
      h = await setup();
      idp = h.port;
      await idp.reconcileRealm(h.realmSpec);
    }, 300_000);
    afterAll(async () => {
      await h?.dispose();
    });

    async function createWithPassword(id: string, change: Partial<DirectoryUser> = {}) {
      const user = await idp.createUser(await toManagedUserSpec(directoryUser(id, change)));
      await idp.setPassword(user.id, password, 'key-1');
      return user;
    }

    it('reconciling the realm a second time changes nothing', async () => {
      const again = await idp.reconcileRealm(h.realmSpec);
      expect(again.created).toEqual([]);
      expect(again.updated).toEqual([]);
      expect(again.unchanged).toEqual(
        expect.arrayContaining(h.realmSpec.clients.map((c) => `client:${c.clientId}`)),
      );
    });

    it('finds nothing for an unknown Nextcloud id', async () => {
      expect(await idp.findUserByNextcloudId(uniqueId('missing'))).toBeUndefined();
      expect(await idp.findUserByUsername(uniqueId('missing'))).toBeUndefined();
    });

    it('creates a managed user without a credential and finds it by Nextcloud id', async () => {
      const id = uniqueId('Create.');
      const spec = await toManagedUserSpec(
        directoryUser(id, {
          displayName: 'Zoë van der Berg',
          email: `${id}@Example.TEST`,
          groups: ['staff', 'design'],
        }),
      );
      const created = await idp.createUser(spec);
      const found = await idp.findUserByNextcloudId(id);
      expect(found).toMatchObject({
        id: created.id,
        username: spec.username,
        nextcloudId: id,
        firstName: 'Zoë',
        lastName: 'van der Berg',
        email: `${id.toLowerCase()}@example.test`,
        enabled: true,
        groups: ['design', 'staff'],
        passwordKeyId: null,
      });
      await expect(
        idp.passwordGrant({ clientId: h.grantClientId, username: spec.username, password }),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    });

    it('keeps a missing e-mail missing', async () => {
      const id = uniqueId('noemail');
      await idp.createUser(await toManagedUserSpec(directoryUser(id, { email: null, displayName: 'Solo' })));
      expect(await idp.findUserByNextcloudId(id)).toMatchObject({
        email: null,
        firstName: 'Solo',
        lastName: 'Solo',
      });
    });

    it('resolves a repeated create of the same Nextcloud id to the existing user', async () => {
      const id = uniqueId('twice');
      const spec = await toManagedUserSpec(directoryUser(id));
      const first = await idp.createUser(spec);
      const second = await idp.createUser(spec);
      expect(second.id).toBe(first.id);
    });

    it('refuses to take over a username an admin created by hand', async () => {
      const id = uniqueId('taken');
      const spec = await toManagedUserSpec(directoryUser(id));
      await h.addUnmanagedUser(spec.username);
      await expect(idp.createUser(spec)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await idp.findUserByNextcloudId(id)).toBeUndefined();
      expect(await idp.findUserByUsername(spec.username)).toMatchObject({ nextcloudId: null });
    });

    it('creates many users at once with the same per-user semantics, when it can', async () => {
      if (!idp.createUsers) return;
      const ids = [uniqueId('bulk'), uniqueId('bulk'), uniqueId('bulk'), uniqueId('Bulk.Zoë ')];
      const existing = await idp.createUser(await toManagedUserSpec(directoryUser(ids[0]!)));
      const taken = await toManagedUserSpec(directoryUser(ids[1]!));
      await h.addUnmanagedUser(taken.username);
      const results = await idp.createUsers(
        await Promise.all(ids.map((id) => toManagedUserSpec(directoryUser(id, { groups: ['bulk-group'] })))),
      );
      expect(results.map((r) => [r.nextcloudId, r.ok])).toEqual([
        [ids[0], true],
        [ids[1], false],
        [ids[2], true],
        [ids[3], true],
      ]);
      expect(results[0]).toMatchObject({ user: { id: existing.id } });
      expect(results[1]).toMatchObject({ error: { code: 'CONFLICT' } });
      for (const id of [ids[2]!, ids[3]!]) {
        expect(await idp.findUserByNextcloudId(id)).toMatchObject({
          enabled: true,
          groups: ['bulk-group'],
          passwordKeyId: null,
        });
      }
    });

    it('maps awkward Nextcloud ids to valid, distinct usernames it accepts', async () => {
      const suffix = uniqueId('');
      const ids = [
        'Al',
        `ALICE${suffix}`,
        `alice${suffix}`,
        `o'brien${suffix}`,
        `a b${suffix}`,
        `Zoë${suffix}`,
        `${'x'.repeat(290)}${suffix}`,
      ];
      const created = [];
      for (const id of ids)
        created.push(await idp.createUser(await toManagedUserSpec(directoryUser(id, { email: null }))));
      expect(new Set(created.map((u) => u.id)).size).toBe(ids.length);
      for (const [i, id] of ids.entries()) {
        const found = await idp.findUserByNextcloudId(id);
        expect(found?.id).toBe(created[i]!.id);
        expect(isValidKeycloakUsername(found!.username)).toBe(true);
      }
    });

    it('updates profile, e-mail, enabled state and groups, keeping the password key', async () => {
      const id = uniqueId('upd');
      const user = await createWithPassword(id, { groups: ['a'] });
      const spec = await toManagedUserSpec(
        directoryUser(id, { displayName: 'Jan de Vries', email: null, enabled: false, groups: ['b', 'c'] }),
      );
      await idp.updateUser(user.id, spec);
      expect(await idp.findUserByNextcloudId(id)).toMatchObject({
        firstName: 'Jan',
        lastName: 'de Vries',
        email: null,
        enabled: false,
        groups: ['b', 'c'],
        passwordKeyId: 'key-1',
      });
    });

    it('lists managed users in pages and never lists unmanaged ones', async () => {
      const ids = [uniqueId('page'), uniqueId('page'), uniqueId('page')];
      for (const id of ids) await idp.createUser(await toManagedUserSpec(directoryUser(id)));
      const unmanaged = uniqueId('hand');
      await h.addUnmanagedUser(unmanaged);
      const seen: string[] = [];
      let pages = 0;
      for await (const page of idp.listManagedUsers({ pageSize: 2 })) {
        pages++;
        expect(page.length).toBeLessThanOrEqual(2);
        for (const user of page) {
          expect(user.nextcloudId).not.toBeNull();
          seen.push(user.nextcloudId);
        }
      }
      expect(pages).toBeGreaterThanOrEqual(2);
      expect(seen).toEqual(expect.arrayContaining(ids));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).not.toContain(unmanaged);
    });

    it('issues tokens for the right password and refreshes them', async () => {
      const id = uniqueId('grant');
      const user = await createWithPassword(id, { email: null, displayName: 'Onlyname' });
      expect((await idp.findUserByNextcloudId(id))?.passwordKeyId).toBe('key-1');
      const tokens = await idp.passwordGrant({
        clientId: h.grantClientId,
        username: user.username,
        password,
        scope: 'openid',
      });
      expect(tokens.accessToken.length).toBeGreaterThan(10);
      expect(tokens.refreshToken).toBeTruthy();
      expect(tokens.idToken).toBeTruthy();
      expect(tokens.expiresIn).toBeGreaterThan(0);
      const refreshed = await idp.refreshGrant({
        clientId: h.grantClientId,
        refreshToken: tokens.refreshToken!,
      });
      expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    });

    it('rejects a wrong password and an unknown user as invalid credentials', async () => {
      const user = await createWithPassword(uniqueId('wrong'));
      await expect(
        idp.passwordGrant({
          clientId: h.grantClientId,
          username: user.username,
          password: new Secret('nope-nope-nope'),
        }),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      await expect(
        idp.passwordGrant({ clientId: h.grantClientId, username: uniqueId('ghost'), password }),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    });

    it('gives a disabled user no tokens and lets a revoked session refresh no more', async () => {
      const user = await createWithPassword(uniqueId('dis'));
      const tokens = await idp.passwordGrant({
        clientId: h.grantClientId,
        username: user.username,
        password,
      });
      await idp.revokeSessions(user.id);
      await expect(
        idp.refreshGrant({ clientId: h.grantClientId, refreshToken: tokens.refreshToken! }),
      ).rejects.toMatchObject({ code: 'INVALID_GRANT' });
      const again = await idp.passwordGrant({ clientId: h.grantClientId, username: user.username, password });
      await idp.setEnabled(user.id, false);
      expect((await idp.findUserByNextcloudId(user.nextcloudId))?.enabled).toBe(false);
      await expect(
        idp.passwordGrant({ clientId: h.grantClientId, username: user.username, password }),
      ).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED' });
      await expect(
        idp.refreshGrant({ clientId: h.grantClientId, refreshToken: again.refreshToken! }),
      ).rejects.toMatchObject({ code: 'INVALID_GRANT' });
    });

    it('refuses the password grant on a client that does not allow it', async () => {
      const user = await createWithPassword(uniqueId('client'));
      await expect(
        idp.passwordGrant({ clientId: h.noGrantClientId, username: user.username, password }),
      ).rejects.toMatchObject({ code: 'CONFIGURATION' });
    });

    it('deletes a user; deleting it again is NOT_FOUND', async () => {
      const user = await createWithPassword(uniqueId('del'));
      await idp.deleteUser(user.id);
      expect(await idp.findUserByNextcloudId(user.nextcloudId)).toBeUndefined();
      await expect(idp.deleteUser(user.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
