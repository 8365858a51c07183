import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import * as client from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import {
  OPENTALK_SECRET,
  OPS_SECRET,
  REPO_ROOT,
  appApiAs,
  call,
  startExApp,
  type ExAppHarness,
} from './exapp-harness.js';

let h: ExAppHarness;
let idp: KeycloakIdentityProvider;
let kcHttp: KeycloakHttp;
const REALM = 'commonground';

beforeAll(async () => {
  h = await startExApp();
  h.nc.addUser({
    id: 'alice',
    displayName: 'Alice Adams',
    email: 'alice@example.test',
    groups: ['staff', 'design'],
  });
  h.nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [] });
  h.nc.addUser({ id: 'Zoë', displayName: 'Zoë van der Berg', email: 'zoe@example.test', groups: ['staff'] });
  h.nc.addUser({ id: 'carol', displayName: 'Carol Clark', email: 'carol@example.test', groups: ['staff'] });
  h.nc.addUser({ id: 'dave', displayName: 'Dave Dijk', email: 'dave@example.test', groups: [] });
}, 60_000);

afterAll(async () => {
  await h?.dispose();
}, 120_000);

function idpFor(): KeycloakIdentityProvider {
  const secrets = JSON.parse(readFileSync(`${h.storage}/keycloak-exapp-secrets.json`, 'utf8'));
  kcHttp = new KeycloakHttp({
    baseUrl: h.server.keycloakUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  });
  return new KeycloakIdentityProvider(kcHttp, REALM);
}

const token = (user: string, clientId: string, secret: string) =>
  call(h.url, 'POST', `/api/token?client_id=${clientId}`, { 'x-nc-user-id': user, 'x-api-secret': secret });

describe('install through AppAPI', () => {
  it('answers the heartbeat before Keycloak runs', async () => {
    const beat = await call(h.url, 'GET', '/heartbeat');
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({ status: 'ok', keycloak: 'stopped' });
  });

  it('refuses the API with 503 and Retry-After until init has run', async () => {
    const res = await token('alice', 'opentalk', OPENTALK_SECRET);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toMatchObject({ code: 'NOT_READY' });
  });

  it('runs heartbeat → init to 100 → enabled, with Keycloak, realm, clients, users and the top menu in place', async () => {
    const { progress, error } = await h.nc.appApi.install({ timeoutMs: 480_000 });
    expect(error).toBe('');
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
    expect(h.nc.appApi.enabledCalls).toEqual([{ enabled: true, error: '' }]);
    expect(h.nc.topMenus.get('keycloak')).toMatchObject({ admin_required: 1 });
    expect([...h.nc.scripts.values()][0]).toMatchObject({ type: 'top_menu', path: 'js/keycloak-admin' });
    expect((await call(h.url, 'GET', '/heartbeat')).body).toMatchObject({ keycloak: 'ready' });

    idp = idpFor();
    const clients = JSON.parse(
      (await kcHttp.admin('GET', `admin/realms/${REALM}/clients`, { what: 't' })).body,
    ).map((c: { clientId: string }) => c.clientId);
    expect(clients).toEqual(
      expect.arrayContaining([
        'opentalk',
        'opentalk-controller',
        'openzaak',
        'openklant',
        'valtimo',
        'nextcloud',
      ]),
    );
    for (const id of ['admin', 'alice', 'bob', 'Zoë', 'carol', 'dave'])
      expect(await idp.findUserByNextcloudId(id), id).toMatchObject({ enabled: true });
  }, 600_000);

  it('is safe to init twice', async () => {
    const again = await call(h.url, 'POST', '/init', appApiAs(h.nc, ''));
    expect(again.status).toBe(200);
    await expect.poll(() => h.nc.initStatus.progress, { timeout: 60_000 }).toBe(100);
    expect(h.nc.initStatus.error).toBe('');
  }, 120_000);
});

describe('the token API', () => {
  it("serves OpenTalk's exact request: five fields, a verifiable token from the configured issuer", async () => {
    const res = await call(h.url, 'POST', '/api/token?client_id=opentalk', {
      'X-NC-USER-ID': 'alice',
      'X-API-SECRET': OPENTALK_SECRET,
    });
    expect(res.status).toBe(200);
    for (const field of ['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type'])
      expect(res.body).toHaveProperty(field);
    expect(res.body.token_type).toBe('Bearer');
    expect(res.headers['cache-control']).toBe('no-store');
    const jwks = (await (
      await fetch(`${h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/certs`)
    ).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(res.body.access_token, createLocalJWKSet(jwks), {
      issuer: `${h.issuerBase}/realms/${REALM}`,
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
    h.nc.users.put({ id: 'bob', enabled: false });
    await new Promise((r) => setTimeout(r, 1_100)); // DIRECTORY_TTL_SECONDS=1
    const refused = await token('bob', 'opentalk', OPENTALK_SECRET);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('USER_DISABLED');
    expect((await idp.findUserByNextcloudId('bob'))?.enabled).toBe(false);
    const refresh = await fetch(`${h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'opentalk',
        refresh_token: first.body.refresh_token,
      }),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('answers 404 for a user Nextcloud does not know', async () => {
    const res = await token('nobody-here', 'opentalk', OPENTALK_SECRET);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('USER_NOT_FOUND');
  });
});

describe('the auth matrix', () => {
  type Cred = 'none' | 'wrongSecret' | 'otherConsumer' | 'forgedAppApi' | 'user' | 'admin' | 'system';
  const creds: Record<Cred, () => Record<string, string>> = {
    none: () => ({}),
    wrongSecret: () => ({ 'x-api-secret': 'not-the-secret-at-all-0000000000' }),
    otherConsumer: () => ({ 'x-api-secret': OPENTALK_SECRET }), // may only get opentalk tokens
    forgedAppApi: () => ({ ...appApiAs(h.nc, 'admin', 'forged-secret'), 'x-api-secret': OPS_SECRET }),
    user: () => appApiAs(h.nc, 'carol'),
    admin: () => appApiAs(h.nc, 'admin'),
    system: () => appApiAs(h.nc, ''),
  };
  const json = { 'content-type': 'application/json' };
  const routes: {
    name: string;
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    expect: Record<Cred, number>;
  }[] = [
    {
      name: 'token for carol, client valtimo',
      method: 'POST',
      path: '/api/token?client_id=valtimo',
      headers: { 'x-nc-user-id': 'carol' },
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 200,
        admin: 403,
        system: 403,
      },
    },
    {
      name: 'sync-user',
      method: 'POST',
      path: '/api/sync-user',
      headers: json,
      body: JSON.stringify({ user_id: 'dave' }),
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 403,
        admin: 200,
        system: 200,
      },
    },
    {
      name: 'delete-user',
      method: 'POST',
      path: '/api/delete-user',
      headers: json,
      body: JSON.stringify({ user_id: 'never-existed' }),
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 403,
        admin: 200,
        system: 200,
      },
    },
    {
      name: 'sync-all (async)',
      method: 'POST',
      path: '/api/sync-all?async=1',
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 403,
        admin: 202,
        system: 202,
      },
    },
    {
      name: 'init',
      method: 'POST',
      path: '/init',
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 403,
        admin: 403,
        system: 200,
      },
    },
    {
      name: 'enabled',
      method: 'PUT',
      path: '/enabled?enabled=1',
      expect: {
        none: 401,
        wrongSecret: 401,
        otherConsumer: 403,
        forgedAppApi: 401,
        user: 403,
        admin: 403,
        system: 200,
      },
    },
  ];
  for (const route of routes) {
    for (const cred of Object.keys(route.expect) as Cred[]) {
      it(`${route.name} × ${cred} → ${route.expect[cred]}`, async () => {
        const res = await call(
          h.url,
          route.method,
          route.path,
          { ...route.headers, ...creds[cred]() },
          route.body,
        );
        expect(res.status).toBe(route.expect[cred]);
        if (res.status >= 400)
          expect(res.body).toMatchObject({ code: expect.any(String), error: expect.any(String) });
      }, 120_000);
    }
  }
  it('lets the operations consumer do everything it is allowed to', async () => {
    expect((await token('carol', 'valtimo', OPS_SECRET)).status).toBe(200);
    const job = await call(h.url, 'POST', '/api/sync-all?async=1', { 'x-api-secret': OPS_SECRET });
    expect(job.status).toBe(202);
    await expect
      .poll(
        async () =>
          (await call(h.url, 'GET', `/api/sync-all/jobs/${job.body.job_id}`, { 'x-api-secret': OPS_SECRET }))
            .body.status,
        { timeout: 60_000 },
      )
      .toBe('done');
  }, 120_000);
});

describe('bad input', () => {
  const cases: {
    name: string;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    status: number;
  }[] = [
    {
      name: '10 kB user id header',
      method: 'POST',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'a'.repeat(10_000) },
      status: 400,
    },
    {
      name: '10 kB secret header',
      method: 'POST',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': 's'.repeat(10_000), 'x-nc-user-id': 'alice' },
      status: 401,
    },
    {
      name: 'traversal user id',
      method: 'POST',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': '../../admin' },
      status: 404,
    },
    {
      name: 'encoded traversal in the body',
      method: 'POST',
      path: '/api/sync-user',
      headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
      body: '{"user_id":"..%2F..%2Fadmin"}',
      status: 200,
    },
    {
      name: 'control character in the body id',
      method: 'POST',
      path: '/api/sync-user',
      headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
      body: '{"user_id":"a\\u0000b"}',
      status: 400,
    },
    {
      name: 'invalid JSON',
      method: 'POST',
      path: '/api/sync-user',
      headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
      body: '{"user_id":',
      status: 400,
    },
    {
      name: 'JSON that is not an object',
      method: 'POST',
      path: '/api/delete-user',
      headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
      body: '["alice"]',
      status: 400,
    },
    {
      name: 'wrong content type',
      method: 'POST',
      path: '/api/sync-user',
      headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'text/plain' },
      body: 'user_id=alice',
      status: 400,
    },
    {
      name: 'unknown query parameter',
      method: 'POST',
      path: '/api/token?client_id=opentalk&impersonate=admin',
      headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'alice' },
      status: 400,
    },
    {
      name: 'missing client id',
      method: 'POST',
      path: '/api/token',
      headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'alice' },
      status: 400,
    },
    {
      name: 'missing user id',
      method: 'POST',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': OPS_SECRET },
      status: 400,
    },
    {
      name: 'GET on the token route',
      method: 'GET',
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': OPS_SECRET },
      status: 405,
    },
    { name: 'an unknown route', method: 'GET', path: '/api/nope', headers: {}, status: 404 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} with {error, code} and no stack`, async () => {
      const res = await call(h.url, c.method, c.path, c.headers, c.body);
      expect(res.status).toBe(c.status);
      if (c.status >= 400) {
        expect(res.body).toMatchObject({ error: expect.any(String), code: expect.any(String) });
        expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
      }
    });
  }
  it('wrote nothing to Keycloak for rejected input', async () => {
    expect(await idp.findUserByUsername('..')).toBeUndefined();
    for (const id of ['../../admin', '..%2F..%2Fadmin', 'a'.repeat(10_000).slice(0, 1000)])
      expect(await idp.findUserByNextcloudId(id)).toBeUndefined();
  });
});

describe('Keycloak behind Nextcloud (HaRP-like proxy, routes from info.xml)', () => {
  const harp = () => `${h.nc.url}/exapps/keycloak`;
  beforeAll(() => {
    const info = new XMLParser().parse(readFileSync(join(REPO_ROOT, 'appinfo/info.xml'), 'utf8'));
    h.nc.exApp.routes = (
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
    expect(discovery.issuer).toBe(`${h.issuerBase}/realms/${REALM}`);
    const through = (url: string) => url.replace(h.issuerBase, harp());
    for (const key of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
      'end_session_endpoint',
      'introspection_endpoint',
    ]) {
      const url = discovery[key] as string;
      expect(url.startsWith(h.issuerBase), key).toBe(true);
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
      headers: { cookie: h.nc.login('admin') },
    });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toMatch(/<html/i);
    expect(
      (await fetch(`${harp()}/admin/master/console/`, { headers: { cookie: h.nc.login('carol') } })).status,
    ).toBe(403);
    expect((await fetch(`${harp()}/admin/master/console/`)).status).toBe(403);
    // Straight to the ExApp (bypassing Nextcloud): no AppAPI signature, no console.
    expect((await call(h.url, 'GET', '/admin/master/console/')).status).toBe(401);
    expect((await call(h.url, 'GET', '/admin/master/console/', appApiAs(h.nc, 'carol'))).status).toBe(403);
  });
});

describe('in a real browser (Chromium), through the HaRP-like proxy', () => {
  let browser: Browser;
  const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('lets a Nextcloud admin open the admin console, log in, open the realm and see a synced user', async () => {
    const context = await browser.newContext();
    const session = h.nc.login('admin').split('; ')[0]!.split('=');
    await context.addCookies([{ name: session[0]!, value: session[1]!, url: h.nc.url }]);
    const page = await context.newPage();
    await page.goto(`${h.issuerBase}/admin/master/console/`);
    await page.waitForSelector('#username', { timeout: 90_000 });
    const secrets = JSON.parse(readFileSync(`${h.storage}/keycloak-exapp-secrets.json`, 'utf8')) as {
      keycloakAdminPassword: string;
    };
    await page.fill('#username', 'admin');
    await page.fill('#password', secrets.keycloakAdminPassword);
    await page.click('#kc-login');
    await page.goto(`${h.issuerBase}/admin/master/console/#/${REALM}/users`);
    await page.getByText('carol', { exact: true }).first().waitFor({ timeout: 90_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'admin-console-users.png'), fullPage: true });
    await context.close();
  }, 240_000);

  it('shows the console from the top-menu page in its frame, at the configured URL (never via the classic proxy)', async () => {
    const context = await browser.newContext();
    const session = h.nc.login('admin').split('; ')[0]!.split('=');
    await context.addCookies([{ name: session[0]!, value: session[1]!, url: h.nc.url }]);
    const page = await context.newPage();
    await page.goto(`${h.nc.url}/index.php/apps/app_api/embedded/keycloak/keycloak`);
    const frame = page.locator('#keycloak-admin-console');
    await frame.waitFor({ timeout: 30_000 });
    expect(await frame.getAttribute('src')).toBe(`${h.issuerBase}/admin/master/console/`);
    await frame.contentFrame().locator('#username').waitFor({ timeout: 90_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'top-menu-console.png') });
    await context.close();
  }, 240_000);

  it('lets a relying party (openid-client) complete discovery, authorization code + PKCE and userinfo', async () => {
    const user = (await idp.findUserByNextcloudId('carol'))!;
    const password = 'Browser-Test-Password-0123456789';
    await idp.setPassword(user.id, new Secret(password), 'browser-test');
    const config = await client.discovery(
      new URL(`${h.issuerBase}/realms/${REALM}`),
      'opentalk',
      undefined,
      client.None(),
      {
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- the fake Nextcloud serves plain HTTP on loopback
        execute: [client.allowInsecureRequests],
      },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const redirectUri = `http://127.0.0.1:${h.rpPort}/cb`;
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    let callback: string | undefined;
    const rp = createServer((req, res) => {
      callback = `http://127.0.0.1:${h.rpPort}${req.url ?? ''}`;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
    });
    await new Promise<void>((ok) => rp.listen(h.rpPort, '127.0.0.1', ok));
    try {
      const page = await browser.newPage();
      await page.goto(authUrl.href);
      await page.fill('#username', user.username);
      await page.fill('#password', password);
      await page.click('#kc-login');
      await expect.poll(() => callback, { timeout: 60_000 }).toBeDefined();
      const tokens = await client.authorizationCodeGrant(config, new URL(callback!), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      expect(tokens.claims()?.iss).toBe(`${h.issuerBase}/realms/${REALM}`);
      const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      expect(info).toMatchObject({
        preferred_username: 'carol',
        email: 'carol@example.test',
        given_name: 'Carol',
      });
      await page.close();
    } finally {
      await new Promise<void>((ok) => rp.close(() => ok()));
    }
  }, 240_000);
});

describe('metrics', () => {
  it('exposes token, sync and Keycloak metrics to admins only', async () => {
    expect((await call(h.url, 'GET', '/metrics')).status).toBe(401);
    expect((await call(h.url, 'GET', '/metrics', appApiAs(h.nc, 'carol'))).status).toBe(403);
    const res = await call(h.url, 'GET', '/metrics', appApiAs(h.nc, 'admin'));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/keycloak_exapp_token_requests_total\{outcome="issued",source="password"\} \d+/);
    expect(res.text).toMatch(
      /keycloak_exapp_token_requests_total\{outcome="CLIENT_NOT_ALLOWED",source="none"\} \d+/,
    );
    expect(res.text).toMatch(/keycloak_exapp_keycloak_state\{state="ready"\} 1/);
    expect(res.text).toMatch(/keycloak_exapp_sync_runs_total\{kind="full",outcome="done"\} \d+/);
    expect(res.text).toMatch(/keycloak_exapp_upstream_grant_seconds_count/);
  });
});

describe('logs', () => {
  it('never contain a secret, a password or a token used in this run', async () => {
    const issued = await token('alice', 'opentalk', OPENTALK_SECRET);
    const logs = h.logs();
    expect(logs).toContain('"audit":"token"');
    for (const secret of [
      OPENTALK_SECRET,
      OPS_SECRET,
      h.nc.exApp.secret,
      issued.body.access_token,
      issued.body.refresh_token,
      issued.body.id_token,
    ]) {
      expect(logs.includes(secret)).toBe(false);
    }
    const stored = JSON.parse(readFileSync(`${h.storage}/keycloak-exapp-secrets.json`, 'utf8')) as Record<
      string,
      string
    >;
    for (const value of Object.values(stored)) expect(logs.includes(value)).toBe(false);
  });
});
