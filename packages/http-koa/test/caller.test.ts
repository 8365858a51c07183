import type { Server } from 'node:http';
import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, noopLogger } from '@keycloak-exapp/core';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import { ConsumerRegistry } from '@keycloak-exapp/composition';
import {
  AuthFailureLimiter,
  authenticate,
  createApp,
  createHttpServer,
  describeCaller,
} from '@keycloak-exapp/http-koa';

const APP_SECRET = 'app-secret-for-the-caller-test-0123456789';
const CONSUMER_SECRET = 'consumer-secret-for-the-caller-test-0123';
let server: Server;
let base = '';

/** The AppAPI headers a proxy (or AppAPI itself) adds, for `user` ('' = empty user part). */
function signedAs(user: string, secret = APP_SECRET): Record<string, string> {
  return {
    'authorization-app-api': Buffer.from(`${user}:${secret}`).toString('base64'),
    'ex-app-id': 'keycloak',
    'ex-app-version': '1.0.0',
    'aa-version': '32',
  };
}

async function who(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; caller?: string; code?: string }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, ...((await res.json()) as object) };
}

beforeAll(async () => {
  const auth = {
    verifier: new AppApiRequestVerifier('keycloak', new Secret(APP_SECRET)),
    consumers: new ConsumerRegistry([
      {
        name: 'opentalk',
        secret: new Secret(CONSUMER_SECRET),
        clientIds: new Set(['opentalk']),
        operations: new Set(['token'] as const),
      },
    ]),
    limiter: new AuthFailureLimiter(5, 60_000),
    trustOriginIp: true, // behind the classic proxy, which sets X-Origin-IP
  };
  // Behind HaRP, which passes a client's own X-Origin-IP through.
  const harpAuth = { ...auth, limiter: new AuthFailureLimiter(5, 60_000), trustOriginIp: false };
  const router = new Router();
  router.get('/harp/whoami', (ctx) => {
    ctx.body = { caller: describeCaller(authenticate(ctx, harpAuth)) };
  });
  router.get('/api/whoami', (ctx) => {
    ctx.body = { caller: describeCaller(authenticate(ctx, auth)) };
  });
  router.get('/lifecycle', (ctx) => {
    ctx.body = { caller: describeCaller(authenticate(ctx, auth, 'nextcloud-itself')) };
  });
  server = createHttpServer(createApp({ logger: noopLogger, routers: [router] }));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe('authenticate: the auth model behind both of Nextcloud’s proxies', () => {
  it('treats an empty-user signature as anonymous except on AppAPI’s own routes', async () => {
    expect(await who('/api/whoami', signedAs(''))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await who('/lifecycle', signedAs(''))).toMatchObject({ status: 200, caller: 'nextcloud-system' });
  });

  it('evaluates X-API-SECRET even when a proxy added AppAPI headers', async () => {
    const throughProxy = { ...signedAs(''), 'x-api-secret': CONSUMER_SECRET };
    expect(await who('/api/whoami', throughProxy)).toMatchObject({
      status: 200,
      caller: 'consumer:opentalk',
    });
    expect(
      await who('/api/whoami', { ...signedAs('carol'), 'x-api-secret': 'wrong-secret-0000000000' }),
    ).toMatchObject({
      status: 401,
    });
  });

  it('names a signed user, and refuses a forged signature whatever else the request carries', async () => {
    expect(await who('/api/whoami', signedAs('carol'))).toMatchObject({ caller: 'nextcloud-user:carol' });
    const forged = { ...signedAs('admin', 'not-the-app-secret'), 'x-api-secret': CONSUMER_SECRET };
    expect(await who('/api/whoami', forged)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('counts failures per client the classic proxy names, and never locks out a valid credential', async () => {
    const flooder = { ...signedAs(''), 'x-origin-ip': '203.0.113.9' };
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push((await who('/api/whoami', flooder)).status);
    expect(answers.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(answers.slice(5)).toEqual([429, 429, 429]);
    // Another visitor behind the same proxy is not affected…
    expect((await who('/api/whoami', { ...signedAs(''), 'x-origin-ip': '198.51.100.7' })).status).toBe(401);
    // …and valid credentials from the flooded client still pass: AppAPI itself and a consumer.
    expect(await who('/lifecycle', { ...signedAs(''), 'x-origin-ip': '203.0.113.9' })).toMatchObject({
      status: 200,
    });
    expect(await who('/api/whoami', { ...flooder, 'x-api-secret': CONSUMER_SECRET })).toMatchObject({
      status: 200,
      caller: 'consumer:opentalk',
    });
  });

  it('behind HaRP, does not let a signed request choose its client key with X-Origin-IP', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++)
      answers.push((await who('/harp/whoami', { ...signedAs(''), 'x-origin-ip': `203.0.113.${i}` })).status);
    // Every attempt counted against the one peer HaRP connects from, whatever X-Origin-IP said.
    expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('refuses a signed user id that is a dot segment (it would walk up the OCS path)', async () => {
    for (const id of ['.', '..'])
      expect(await who('/api/whoami', signedAs(id))).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
  });

  it('does not let an unsigned request choose its client key with X-Origin-IP', async () => {
    for (let i = 0; i < 6; i++) await who('/api/whoami', { 'x-origin-ip': `192.0.2.${i}` });
    // Every unsigned attempt counted against the socket's address, which is now blocked.
    expect((await who('/api/whoami', { 'x-origin-ip': '192.0.2.200' })).status).toBe(429);
  });
});
