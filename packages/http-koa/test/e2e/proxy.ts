import { beforeAll, describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, appApiAs, call } from '../exapp-harness.js';
import { REALM, e2e, loadInfoXmlRoutes } from './context.js';

export function describeProxy(): void {
  describe('Keycloak behind Nextcloud (HaRP-like proxy, routes from info.xml)', () => {
    const harp = () => `${e2e.h.nc.url}/exapps/keycloak`;
    beforeAll(loadInfoXmlRoutes);

    it('serves the discovery document with the configured issuer, and every endpoint in it answers', async () => {
      const res = await fetch(`${harp()}/realms/${REALM}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const discovery = (await res.json()) as Record<string, unknown>;
      expect(discovery.issuer).toBe(`${e2e.h.issuerBase}/realms/${REALM}`);
      const through = (url: string) => url.replace(e2e.h.issuerBase, harp());
      for (const key of [
        'authorization_endpoint',
        'token_endpoint',
        'userinfo_endpoint',
        'jwks_uri',
        'end_session_endpoint',
        'introspection_endpoint',
      ]) {
        const url = discovery[key] as string;
        expect(url.startsWith(e2e.h.issuerBase), key).toBe(true);
        const answer = await fetch(through(url), {
          method: key === 'token_endpoint' || key === 'introspection_endpoint' ? 'POST' : 'GET',
          redirect: 'manual',
        });
        expect(answer.status, key).toBeLessThan(500);
        expect(answer.status, key).not.toBe(404);
      }
    });

    it('gives the same issuer in a token from /api/token and in the discovery document through either proxy', async () => {
      const classic = `${e2e.h.nc.url}/index.php/apps/app_api/proxy/keycloak`;
      const issuers = new Set<string>();
      for (const base of [harp(), classic]) {
        const res = await fetch(`${base}/realms/${REALM}/.well-known/openid-configuration`);
        expect(res.status, base).toBe(200);
        issuers.add(((await res.json()) as { issuer: string }).issuer);
      }
      const issued = await call(e2e.h.url, 'POST', '/api/token?client_id=opentalk', {
        'x-api-secret': OPENTALK_SECRET,
        'x-nc-user-id': 'alice',
      });
      expect(issued.status).toBe(200);
      const claims = JSON.parse(
        Buffer.from(issued.body.access_token.split('.')[1], 'base64url').toString(),
      ) as {
        iss: string;
      };
      issuers.add(claims.iss);
      expect([...issuers]).toEqual([`${e2e.h.issuerBase}/realms/${REALM}`]);
    });

    it('serves a consumer its token through HaRP and through the classic proxy, and refuses delete-user without credentials', async () => {
      const before = await e2e.idp.findUserByNextcloudId('alice');
      expect(before).toBeDefined();
      for (const prefix of ['/exapps/keycloak', '/index.php/apps/app_api/proxy/keycloak']) {
        const headers = { 'x-api-secret': OPENTALK_SECRET, 'x-nc-user-id': 'alice' };
        const viaProxy = await call(e2e.h.nc.url, 'POST', `${prefix}/api/token?client_id=opentalk`, headers);
        expect(viaProxy.status, prefix).toBe(200);
        expect(viaProxy.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
        const anonymous = await call(
          e2e.h.nc.url,
          'POST',
          `${prefix}/api/delete-user`,
          { 'content-type': 'application/json' },
          '{"user_id":"alice"}',
        );
        expect(anonymous.status, prefix).toBe(401);
      }
      expect(await e2e.idp.findUserByNextcloudId('alice')).toEqual(before);
    });

    it('passes every Set-Cookie of the login page to the browser (PKCE is required for the public client)', async () => {
      const url = `${harp()}/realms/${REALM}/protocol/openid-connect/auth?client_id=opentalk&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://talk.example.test/cb')}&code_challenge_method=S256&code_challenge=${'a'.repeat(43)}`;
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(200);
      const cookies = res.headers.getSetCookie().map((c) => c.split('=')[0]);
      expect(cookies.length).toBeGreaterThanOrEqual(2);
      expect(cookies).toEqual(expect.arrayContaining(['AUTH_SESSION_ID']));
    });

    it('opens the admin console for a Nextcloud admin only', async () => {
      const admin = await fetch(`${harp()}/admin/master/console/`, {
        headers: { cookie: e2e.h.nc.login('admin') },
      });
      expect(admin.status).toBe(200);
      expect(await admin.text()).toMatch(/<html/i);
      expect(
        (await fetch(`${harp()}/admin/master/console/`, { headers: { cookie: e2e.h.nc.login('carol') } }))
          .status,
      ).toBe(403);
      expect((await fetch(`${harp()}/admin/master/console/`)).status).toBe(403);
      // Straight to the ExApp (bypassing Nextcloud): no AppAPI signature, no console.
      expect((await call(e2e.h.url, 'GET', '/admin/master/console/')).status).toBe(401);
      expect(
        (await call(e2e.h.url, 'GET', '/admin/master/console/', appApiAs(e2e.h.nc, 'carol'))).status,
      ).toBe(403);
    });
  });
}
