import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, OPS_SECRET, call } from '../exapp-harness.js';
import { REALM, e2e, token } from './context.js';

export function describeTokenApi(): void {
  describe('the token API', () => {
    it("serves OpenTalk's exact request: five fields, a verifiable token from the configured issuer", async () => {
      const res = await call(e2e.h.url, 'POST', '/api/token?client_id=opentalk', {
        'X-NC-USER-ID': 'alice',
        'X-API-SECRET': OPENTALK_SECRET,
      });
      expect(res.status).toBe(200);
      for (const field of ['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type'])
        expect(res.body).toHaveProperty(field);
      expect(res.body.token_type).toBe('Bearer');
      expect(res.headers['cache-control']).toBe('no-store');
      const jwks = (await (
        await fetch(`${e2e.h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/certs`)
      ).json()) as JSONWebKeySet;
      const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks), {
        issuer: `${e2e.h.issuerBase}/realms/${REALM}`,
      });
      expect(payload.iat).toBeTypeOf('number');
      const id = decodeJwt(res.body.id_token);
      expect(id).toMatchObject({
        email: 'alice@example.test',
        given_name: 'Alice',
        family_name: 'Adams',
        groups: ['design', 'staff'],
        x_grp: ['design', 'staff'],
      });
    });

    it('refuses admin-cli and any client id not on the allow-list with 403', async () => {
      for (const clientId of ['admin-cli', 'security-admin-console', 'account', 'not-a-client']) {
        const res = await token('alice', clientId, OPS_SECRET);
        expect(res.status, clientId).toBe(403);
        expect(res.body.code).toBe('CLIENT_NOT_ALLOWED');
      }
    });

    it('refuses a user disabled in Nextcloud within the TTL, disables them in Keycloak and kills their refresh token', async () => {
      const first = await token('bob', 'opentalk', OPENTALK_SECRET);
      expect(first.status).toBe(200);
      e2e.h.nc.users.put({ id: 'bob', enabled: false });
      await new Promise((r) => setTimeout(r, 1_100)); // DIRECTORY_TTL_SECONDS=1
      const refused = await token('bob', 'opentalk', OPENTALK_SECRET);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('USER_DISABLED');
      expect((await e2e.idp.findUserByNextcloudId('bob'))?.enabled).toBe(false);
      const refresh = await fetch(
        `${e2e.h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/token`,
        {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: 'opentalk',
            refresh_token: first.body.refresh_token,
          }),
        },
      );
      expect(refresh.status).toBe(400);
      expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
    });

    it('says how each client refreshes, and Keycloak agrees: public with its id alone, confidential not without its secret', async () => {
      const refreshAt = (clientId: string, refreshToken: string) =>
        fetch(`${e2e.h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: clientId,
            refresh_token: refreshToken,
          }),
        });
      const talk = await token('alice', 'opentalk', OPENTALK_SECRET);
      expect(talk.body.refresh_with).toBe('client_id');
      expect((await refreshAt('opentalk', talk.body.refresh_token)).status).toBe(200);
      const valtimo = await token('alice', 'valtimo', OPS_SECRET);
      expect(valtimo.body.refresh_with).toBe('client_secret');
      const refused = await refreshAt('valtimo', valtimo.body.refresh_token);
      expect(refused.status).toBe(401);
      expect(['unauthorized_client', 'invalid_client']).toContain(
        ((await refused.json()) as { error: string }).error,
      );
    });

    it('answers 404 for a user Nextcloud does not know', async () => {
      const res = await token('nobody-here', 'opentalk', OPENTALK_SECRET);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('USER_NOT_FOUND');
    });
  });
}
