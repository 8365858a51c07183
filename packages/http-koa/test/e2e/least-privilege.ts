import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import {
  KeycloakHttp,
  RUNTIME_REALM_ROLES,
  ensureRuntimeAccount,
  runtimeAccountRoles,
} from '@keycloak-exapp/adapter-keycloak';
import { RUNTIME_CLIENT_ID } from '@keycloak-exapp/composition';
import { OPS_SECRET, call } from '../exapp-harness.js';
import { REALM, e2e } from './context.js';

/** The server's runtime account, as it authenticates (its secret from the volume). */
function runtimeHttp(): KeycloakHttp {
  const { keycloakRuntimeClientSecret } = JSON.parse(
    readFileSync(`${e2e.h.storage}/keycloak-exapp-secrets.json`, 'utf8'),
  ) as { keycloakRuntimeClientSecret: string };
  return new KeycloakHttp({
    baseUrl: e2e.h.server.keycloakUrl,
    admin: {
      kind: 'client',
      clientId: RUNTIME_CLIENT_ID,
      clientSecret: new Secret(keycloakRuntimeClientSecret),
      realm: REALM,
    },
  });
}

const refused = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: unknown) => (error as { code?: string }).code,
  );

export function describeLeastPrivilege(): void {
  describe('least privilege: the running server acts as a realm-scoped runtime account', () => {
    it(`holds exactly ${RUNTIME_REALM_ROLES.join(', ')} of its realm`, async () => {
      const { roles, beyond } = await runtimeAccountRoles(runtimeHttp());
      expect(roles).toEqual([...RUNTIME_REALM_ROLES].sort());
      expect(beyond).toEqual([]);
    });

    it('may read users, and may not change the realm, create a client or read a client secret', async () => {
      const http = runtimeHttp();
      const base = `admin/realms/${REALM}`;
      expect(
        (await http.admin('GET', `${base}/users`, { searchParams: { max: 1 }, what: 'users' })).statusCode,
      ).toBe(200);
      expect(
        await refused(http.admin('PUT', base, { json: { registrationAllowed: true }, what: 'realm' })),
      ).toBe('UPSTREAM_UNAUTHORIZED');
      expect(
        await refused(
          http.admin('POST', `${base}/clients`, { json: { clientId: 'intruder' }, what: 'client' }),
        ),
      ).toBe('UPSTREAM_UNAUTHORIZED');
      const valtimo = (
        JSON.parse(
          (
            await e2e.kcHttp.admin('GET', `${base}/clients`, {
              searchParams: { clientId: 'valtimo' },
              what: 'c',
            })
          ).body,
        ) as { id: string }[]
      )[0]!;
      expect(
        await refused(http.admin('GET', `${base}/clients/${valtimo.id}/client-secret`, { what: 'secret' })),
      ).toBe('UPSTREAM_UNAUTHORIZED');
      expect(await refused(http.admin('GET', 'admin/realms/master/users', { what: 'master' }))).not.toBe(
        'allowed',
      );
    });

    it('writes users as the runtime account: without its manage-users the server cannot, and the next reconcile restores it', async () => {
      const setup = e2e.kcHttp;
      const base = `admin/realms/${REALM}`;
      const find = async (clientId: string) =>
        (
          JSON.parse(
            (await setup.admin('GET', `${base}/clients`, { searchParams: { clientId }, what: 'client' }))
              .body,
          ) as { id: string }[]
        )[0]!;
      const runtime = await find(RUNTIME_CLIENT_ID);
      const management = await find('realm-management');
      const user = JSON.parse(
        (await setup.admin('GET', `${base}/clients/${runtime.id}/service-account-user`, { what: 'sa' })).body,
      ) as { id: string };
      const mappings = `${base}/users/${user.id}/role-mappings/clients/${management.id}`;
      const role = (
        JSON.parse((await setup.admin('GET', mappings, { what: 'roles' })).body) as { name: string }[]
      ).find((r) => r.name === 'manage-users');
      await setup.admin('DELETE', mappings, { json: [role], what: 'take manage-users away' });
      const syncUser = (id: string) => {
        e2e.h.nc.addUser({ id, displayName: id, groups: ['staff'] });
        return call(
          e2e.h.url,
          'POST',
          '/api/sync-user',
          { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
          JSON.stringify({ user_id: id }),
        );
      };
      // The setup account still holds manage-users: had the server used it, this would work.
      const refused = await syncUser('least-privilege-a');
      expect(refused.status, refused.text).toBeGreaterThanOrEqual(500);
      expect(refused.body).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED' });
      // The realm reconcile (here: AppAPI enabling the ExApp again) puts the role back.
      const { keycloakRuntimeClientSecret } = JSON.parse(
        readFileSync(`${e2e.h.storage}/keycloak-exapp-secrets.json`, 'utf8'),
      ) as { keycloakRuntimeClientSecret: string };
      await ensureRuntimeAccount(setup, REALM, {
        clientId: RUNTIME_CLIENT_ID,
        secret: new Secret(keycloakRuntimeClientSecret),
      });
      const synced = await syncUser('least-privilege-b');
      expect(synced.status, synced.text).toBe(200);
      // A confidential client's grant: its secret was read by setup, never by the runtime account.
      const granted = await call(e2e.h.url, 'POST', '/api/token?client_id=valtimo', {
        'x-api-secret': OPS_SECRET,
        'x-nc-user-id': 'least-privilege-b',
      });
      expect(granted.status, granted.text).toBe(200);
    });
  });
}
