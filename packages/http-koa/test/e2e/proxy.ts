import { XMLParser } from 'fast-xml-parser';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, appApiAs, call } from '../exapp-harness.js';
import { REALM, e2e } from './context.js';

export function describeProxy(): void {
  describe('Keycloak behind Nextcloud (HaRP-like proxy, routes from info.xml)', () => {
    const harp = () => `${e2e.h.nc.url}/exapps/keycloak`;
    beforeAll(() => {
      const info = new XMLParser().parse(readFileSync(join(REPO_ROOT, 'appinfo/info.xml'), 'utf8'));
      e2e.h.nc.exApp.routes = (
        info.info['external-app'].routes.route as {
          url: string;
          verb: string;
          access_level: 'PUBLIC' | 'USER' | 'ADMIN';
        }[]
      ).map((r) => ({
        url: r.url,
        verb: r.verb,
        accessLevel: r.access_level,
      }));
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
