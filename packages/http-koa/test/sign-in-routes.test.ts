// The sign-in endpoints over HTTP: what a browser gets through a proxy (signed as a user, signed
// anonymous, not signed, forged), and what Keycloak's broker gets at the token and user endpoints.
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingLogger, ManualClock } from '@keycloak-exapp/core/testing';
import {
  Secret,
  SignInWithNextcloud,
  UserDisabledError,
  UserNotFoundError,
  noopLogger,
  type ManagedIdpUser,
} from '@keycloak-exapp/core';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import { ConsumerRegistry } from '@keycloak-exapp/composition';
import {
  AuthFailureLimiter,
  createApp,
  createHttpServer,
  signInBrokerRouter,
  signInBrowserRouter,
} from '@keycloak-exapp/http-koa';

const APP_SECRET = 'app-secret-for-the-sign-in-test-0123456789';
const BROKER_SECRET = 'broker-secret-for-the-sign-in-test-0123456789';
const REDIRECT_URI = 'https://cloud.example/exapps/keycloak/realms/commonground/broker/nextcloud/endpoint';
let browserBase = '';
let brokerBase = '';
const servers: Server[] = [];

const signedAs = (user: string, secret = APP_SECRET): Record<string, string> => ({
  'authorization-app-api': Buffer.from(`${user}:${secret}`).toString('base64'),
  'ex-app-id': 'keycloak',
  'ex-app-version': '1.0.0',
  'aa-version': '32',
});

const account = (id: string): ManagedIdpUser =>
  ({ id: `kc-${id}`, username: id, nextcloudId: id, enabled: true }) as unknown as ManagedIdpUser;

const verifier = randomBytes(32).toString('base64url');
const query = new URLSearchParams({
  response_type: 'code',
  client_id: 'keycloak-broker',
  redirect_uri: REDIRECT_URI,
  state: 'st-1',
  code_challenge: createHash('sha256').update(verifier).digest('base64url'),
  code_challenge_method: 'S256',
});

async function listen(app: ReturnType<typeof createApp>): Promise<string> {
  const server = createHttpServer(app);
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** What the broker's listener logged (its audit lines). */
const brokerLog = new CapturingLogger();

beforeAll(async () => {
  const signIn = new SignInWithNextcloud({
    client: { clientId: 'keycloak-broker', secret: new Secret(BROKER_SECRET), redirectUri: REDIRECT_URI },
    checkUser: (id) => {
      if (id === 'alice') return Promise.resolve(account(id));
      if (id === 'bob') return Promise.reject(new UserDisabledError(id));
      return Promise.reject(new UserNotFoundError(id));
    },
    clock: new ManualClock(),
  });
  const auth = {
    verifier: new AppApiRequestVerifier('keycloak', new Secret(APP_SECRET)),
    consumers: new ConsumerRegistry([]),
    limiter: new AuthFailureLimiter(1000, 60_000),
  };
  browserBase = await listen(
    createApp({
      logger: noopLogger,
      routers: [
        signInBrowserRouter({
          signIn,
          auth,
          nextcloudLoginUrl: 'https://cloud.example/index.php/login',
          authorizePathThroughProxy: '/exapps/keycloak/sign-in/authorize',
        }),
      ],
    }),
  );
  brokerBase = await listen(createApp({ logger: brokerLog, routers: [signInBrokerRouter(signIn)] }));
});
afterAll(() => Promise.all(servers.map((s) => new Promise((ok) => s.close(ok)))));

/** The target of a page that sends the browser on (`<meta http-equiv="refresh">`). */
const onwards = (html: string) =>
  /content="0;url=([^"]+)"/
    .exec(html)?.[1]
    ?.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

async function authorize(headers: Record<string, string>, q = query) {
  const res = await fetch(`${browserBase}/sign-in/authorize?${q.toString()}`, {
    headers,
    redirect: 'manual',
  });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

describe('the authorization endpoint, as a browser reaches it through Nextcloud’s proxy', () => {
  it('sends a signed-in user to the broker with a code, on a page (no 3xx the classic proxy would follow)', async () => {
    const res = await authorize(signedAs('alice'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const target = new URL(onwards(res.html)!);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT_URI);
    expect(target.searchParams.get('state')).toBe('st-1');
  });

  it('sends an anonymous visitor to Nextcloud’s login with a local way back to the same request', async () => {
    const res = await authorize(signedAs(''));
    const login = new URL(onwards(res.html)!);
    expect(`${login.origin}${login.pathname}`).toBe('https://cloud.example/index.php/login');
    expect(login.searchParams.get('redirect_url')).toBe(
      `/exapps/keycloak/sign-in/authorize?${query.toString()}`,
    );
  });

  it('refuses a request no proxy signed, a forged signature, a disabled and an unknown user, each with a page', async () => {
    expect((await authorize({})).status).toBe(401);
    expect((await authorize(signedAs('alice', 'guessed-secret'))).status).toBe(401);
    const disabled = await authorize(signedAs('bob'));
    expect(disabled.status).toBe(403);
    expect(disabled.html).toContain('Your Nextcloud account is disabled');
    expect(onwards(disabled.html)).toBeUndefined();
    expect((await authorize(signedAs('carol'))).status).toBe(404);
  });

  it('never redirects a request that is not the broker’s (open redirect), and escapes what it echoes', async () => {
    const evil = new URLSearchParams(query);
    evil.set('redirect_uri', 'https://evil.example/cb');
    const res = await authorize(signedAs('alice'), evil);
    expect(res.status).toBe(400);
    expect(res.html).not.toContain('evil.example');
    const quoted = new URLSearchParams(query);
    quoted.set('state', '"><script>alert(1)</script>');
    const page = await authorize(signedAs('alice'), quoted);
    expect(page.html).not.toContain('<script>');
  });
});

describe('the token and user endpoints, as Keycloak’s broker calls them', () => {
  async function code(): Promise<string> {
    return new URL(onwards((await authorize(signedAs('alice'))).html)!).searchParams.get('code')!;
  }
  const redeem = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${brokerBase}/sign-in/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  const form = (c: string) => ({
    grant_type: 'authorization_code',
    code: c,
    redirect_uri: REDIRECT_URI,
    client_id: 'keycloak-broker',
    client_secret: BROKER_SECRET,
    code_verifier: verifier,
  });

  it('redeems a code once for an access token that reads the user', async () => {
    const c = await code();
    const res = await redeem(form(c));
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const info = await fetch(`${brokerBase}/sign-in/userinfo`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(await info.json()).toEqual({ sub: 'alice', preferred_username: 'alice' });
    const replay = await redeem(form(c));
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant', code: 'INVALID_GRANT' });
    const after = await fetch(`${brokerBase}/sign-in/userinfo`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(after.status).toBe(401);
  });

  it('accepts client_secret_basic, and answers a wrong secret 401 invalid_client', async () => {
    const { client_id: _id, client_secret: _secret, ...rest } = form(await code());
    const basic = Buffer.from(`keycloak-broker:${BROKER_SECRET}`).toString('base64');
    expect((await redeem(rest, { authorization: `Basic ${basic}` })).status).toBe(200);
    const wrong = await redeem({ ...form(await code()), client_secret: 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('writes an audit line per redemption: the user signed in, a bad code, an unknown client; no secret', async () => {
    brokerLog.entries.length = 0;
    const c = await code();
    await redeem(form(c));
    await redeem(form(c));
    await redeem({ ...form(await code()), client_secret: 'nope' });
    const audits = brokerLog.entries.filter((e) => e.msg === 'audit').map((e) => e.obj);
    expect(audits).toEqual([
      expect.objectContaining({
        audit: 'sign-in-redeem',
        caller: 'sign-in-broker:keycloak-broker',
        target: 'alice',
        outcome: 'ok',
      }),
      expect.objectContaining({
        audit: 'sign-in-redeem',
        caller: 'sign-in-broker:keycloak-broker',
        outcome: 'INVALID_GRANT',
      }),
      expect.objectContaining({
        audit: 'sign-in-redeem',
        caller: 'unauthenticated',
        outcome: 'UNAUTHENTICATED',
      }),
    ]);
    expect(brokerLog.text()).not.toContain(BROKER_SECRET);
    expect(brokerLog.text()).not.toContain(c);
  });

  it('is not served to a request a proxy forwarded (AppAPI headers)', async () => {
    const res = await fetch(`${brokerBase}/sign-in/userinfo`, { headers: signedAs('alice') });
    expect(res.status).toBe(404);
    expect((await redeem(form(await code()), signedAs('alice'))).status).toBe(404);
  });
});
