import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, appApiAs, call, type Reply } from '../exapp-harness.js';
import { REALM, e2e, loadInfoXmlRoutes } from './context.js';

export function describeProxy(): void {
  describe('Keycloak behind Nextcloud (HaRP-like proxy, routes from info.xml)', () => {
    const harp = () => `${e2e.h.nc.url}/exapps/keycloak`;
    beforeAll(loadInfoXmlRoutes);
    beforeEach(() => {
      e2e.h.nc.harpBans.clear();
      e2e.h.nc.classicBruteforceAttempts.clear();
    });

    it("HaRP bans a client for repeated wrong secrets, never for refusals that are business (10 disabled users' 403s)", async () => {
      const nc = e2e.h.nc;
      for (let i = 0; i < 12; i++) nc.addUser({ id: `gone${i}`, displayName: `Gone ${i}`, enabled: false });
      const viaHarp = (secret: string, user: string): Promise<Reply> =>
        call(nc.url, 'POST', '/exapps/keycloak/api/token?client_id=opentalk', {
          'x-api-secret': secret,
          'x-nc-user-id': user,
        }).catch(() => ({ status: 0, headers: {}, body: undefined, text: '' })); // dropped
      for (let i = 0; i < 12; i++) expect((await viaHarp(OPENTALK_SECRET, `gone${i}`)).status).toBe(403);
      expect(nc.harpBans.failures('127.0.0.1')).toBe(0);
      expect((await viaHarp(OPENTALK_SECRET, 'alice')).status).toBe(200);
      // Ten wrong secrets (401, then the ExApp's own 429) ban the address: even a valid call is dropped.
      const guesses: number[] = [];
      for (let i = 0; i < 10; i++)
        guesses.push((await viaHarp(`guess-${i}-0000000000000000`, 'alice')).status);
      expect(guesses.every((status) => status === 401 || status === 429)).toBe(true);
      expect(nc.harpBans.isBanned('127.0.0.1')).toBe(true);
      expect((await viaHarp(OPENTALK_SECRET, 'alice')).status).toBe(0);
    });

    it('the classic proxy counts only wrong credentials toward its throttle, not 403s', async () => {
      const nc = e2e.h.nc;
      for (let i = 0; i < 12; i++) nc.addUser({ id: `gone${i}`, displayName: `Gone ${i}`, enabled: false });
      const viaClassic = (secret: string, user: string) =>
        call(nc.url, 'POST', '/index.php/apps/app_api/proxy/keycloak/api/token?client_id=opentalk', {
          'x-api-secret': secret,
          'x-nc-user-id': user,
        });
      for (let i = 0; i < 12; i++) expect((await viaClassic(OPENTALK_SECRET, `gone${i}`)).status).toBe(403);
      expect(nc.classicBruteforceAttempts.get('127.0.0.1') ?? 0).toBe(0);
      for (let i = 0; i < 11; i++) await viaClassic(`guess-${i}-0000000000000000`, 'alice');
      expect(nc.classicBruteforceAttempts.get('127.0.0.1')).toBe(11);
      expect((await viaClassic(OPENTALK_SECRET, 'alice')).status).toBe(429);
    });

    it('refuses every non-normal path to the master realm and the admin API, through HaRP and the classic proxy', async () => {
      const nc = e2e.h.nc;
      const paths = [
        '/realms//master/.well-known/openid-configuration',
        '/realms/x/../master/.well-known/openid-configuration',
        '/realms/./master/.well-known/openid-configuration',
        '/realms;a=b/master/.well-known/openid-configuration',
        '/realms/%2e%2e/master/.well-known/openid-configuration',
        '/realms/x%2f..%2fmaster/.well-known/openid-configuration',
        '/realms/x%5c..%5cmaster/.well-known/openid-configuration',
        '/realms\\master/.well-known/openid-configuration',
        '/realms/ma%73ter/.well-known/openid-configuration',
        '/realms//master/protocol/openid-connect/token',
        '//admin/realms',
        '/admin//realms',
        '/realms/commonground/../../admin/realms',
      ];
      for (const prefix of ['', '/exapps/keycloak', '/index.php/apps/app_api/proxy/keycloak']) {
        for (const path of paths) {
          nc.harpBans.clear();
          const method = path.endsWith('/token') ? 'POST' : 'GET';
          const res = await call(prefix ? nc.url : e2e.h.url, method, `${prefix}${path}`).catch(() => ({
            status: 0,
            text: '',
          }));
          // Refused (404; HaRP's 403 for an ADMIN route or its drop of a `..` path); never Keycloak's.
          expect([0, 403, 404], `${prefix}${path}`).toContain(res.status);
          expect(res.text, `${prefix}${path}`).not.toMatch(/"issuer"|invalid_grant|"realm"/);
        }
      }
    });

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
      // The realm sends logins to Nextcloud; an empty kc_idp_hint asks for Keycloak's own form.
      const url = `${harp()}/realms/${REALM}/protocol/openid-connect/auth?client_id=opentalk&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://talk.example.test/cb')}&code_challenge_method=S256&code_challenge=${'a'.repeat(43)}`;
      const res = await fetch(`${url}&kc_idp_hint=`, { redirect: 'manual' });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('kc-form-login');
      // Without it, the realm's browser flow goes straight to Sign in with Nextcloud.
      const broker = await fetch(url, { redirect: 'manual' });
      expect(broker.status).toBe(303);
      expect(broker.headers.get('location')).toContain(`/realms/${REALM}/broker/nextcloud/login`);
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
