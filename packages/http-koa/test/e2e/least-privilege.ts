import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, RUNTIME_REALM_ROLES, runtimeAccountRoles } from '@keycloak-exapp/adapter-keycloak';
import { RUNTIME_CLIENT_ID } from '@keycloak-exapp/http-koa';
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

    it("writes users as the runtime account (Keycloak's admin events name it), and still grants confidential clients", async () => {
      const path = `admin/realms/${REALM}/events/config`;
      const config = JSON.parse((await e2e.kcHttp.admin('GET', path, { what: 'events' })).body) as object;
      await e2e.kcHttp.admin('PUT', path, { json: { ...config, adminEventsEnabled: true }, what: 'events' });
      e2e.h.nc.addUser({ id: 'least-privilege-user', displayName: 'L P', groups: ['staff'] });
      const synced = await call(
        e2e.h.url,
        'POST',
        '/api/sync-user',
        { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        JSON.stringify({ user_id: 'least-privilege-user' }),
      );
      expect(synced.status, synced.text).toBe(200);
      const events = JSON.parse(
        (
          await e2e.kcHttp.admin('GET', `admin/realms/${REALM}/admin-events`, {
            searchParams: { max: 50, resourceTypes: 'USER' },
            what: 'admin events',
          })
        ).body,
      ) as { operationType: string; authDetails: { clientId: string; realmId: string } }[];
      const creates = events.filter((e) => e.operationType === 'CREATE');
      expect(creates.length).toBeGreaterThan(0);
      const runtimeClient = (
        JSON.parse(
          (
            await e2e.kcHttp.admin('GET', `admin/realms/${REALM}/clients`, {
              searchParams: { clientId: RUNTIME_CLIENT_ID },
              what: 'c',
            })
          ).body,
        ) as { id: string }[]
      )[0]!;
      expect(creates[0]!.authDetails.clientId).toBe(runtimeClient.id);
      // A confidential client's grant: its secret was read by setup, never by the runtime account.
      const granted = await call(e2e.h.url, 'POST', '/api/token?client_id=valtimo', {
        'x-api-secret': OPS_SECRET,
        'x-nc-user-id': 'least-privilege-user',
      });
      expect(granted.status, granted.text).toBe(200);
    });
  });
}
