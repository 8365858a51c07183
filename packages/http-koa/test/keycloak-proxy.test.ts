import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret, noopLogger } from '@keycloak-exapp/core';
import { AppApiRequestVerifier, appApiHeaders } from '@keycloak-exapp/adapter-nextcloud';
import { ConsumerRegistry } from '@keycloak-exapp/composition';
import {
  AuthFailureLimiter,
  createApp,
  createHttpServer,
  KeycloakReadiness,
  keycloakProxy,
} from '@keycloak-exapp/http-koa';

const SECRET = 'app-secret-for-the-proxy-test-0123456789';

/** Request paths a server behind us could read as the master realm or the admin API. */
const NOT_NORMAL_PATHS = [
  '/realms//master/.well-known/openid-configuration',
  '/realms/x/..//master/protocol/openid-connect/token',
  '/realms/./master/protocol/openid-connect/token',
  '/realms/../admin/x',
  '/realms/x/../../admin/realms',
  '/realms;x=1/master/.well-known/openid-configuration',
  '/realms/master;/.well-known/openid-configuration',
  '/realms/%2e%2e/admin/x',
  '/realms/%2E/master/',
  '/realms/x%2F..%2Fadmin',
  '/realms/x%2f..%2fmaster',
  '/realms/x%5c..%5cmaster/',
  '/realms\\master/.well-known/openid-configuration',
  '/realms/ma%73ter/.well-known/openid-configuration',
  '//admin/realms',
  '/admin//realms',
];
let seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let upstream: Server;
let app: Server;
let base = '';

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => void answer());
    const answer = async () => {
      if (req.url?.includes('/slow')) await new Promise((ok) => setTimeout(ok, 2_000));
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.setHeader('set-cookie', [
        'AUTH_SESSION_ID=a; Path=/realms/x/; HttpOnly',
        'KC_RESTART=b; Path=/realms/x/; HttpOnly',
        'KC_AUTH_SESSION_HASH=c; Path=/realms/x/',
      ]);
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html>${req.url}</html>`);
    };
  });
  await new Promise<void>((ok) => upstream.listen(0, '127.0.0.1', ok));
  const koa = createApp({
    logger: noopLogger,
    routers: [],
    fallthrough: keycloakProxy({
      target: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
      readiness: new KeycloakReadiness(undefined),
      admins: { isAdmin: (user: string) => Promise.resolve(user === 'admin') },
      auth: {
        verifier: new AppApiRequestVerifier('keycloak', new Secret(SECRET)),
        consumers: new ConsumerRegistry([]),
        limiter: new AuthFailureLimiter(1000),
      },
      publicBase: 'https://cloud.example.test/exapps/keycloak',
      logger: noopLogger,
      passwordGrantClients: ['legacy-cli'],
      upstreamTimeoutMs: 500,
      maxBodyBytes: 4096,
    }),
  });
  app = createHttpServer(koa);
  await new Promise<void>((ok) => app.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((ok) => app.close(() => ok()));
  await new Promise<void>((ok) => upstream.close(() => ok()));
});

const signed = (user: string) =>
  appApiHeaders({ appId: 'keycloak', appVersion: '1', secret: new Secret(SECRET) }, user);

describe('the Keycloak proxy', () => {
  it("keeps every Set-Cookie, streams the body, and never forwards Nextcloud's cookies or AppAPI headers", async () => {
    seen = [];
    const res = await fetch(`${base}/realms/x/login-actions/authenticate?a=1`, {
      method: 'POST',
      headers: {
        ...signed('alice'),
        cookie:
          'oc_sessionPassphrase=p; ocabc123=inst; nc_session_id=s; nc_username=alice; __Host-nc_sameSiteCookielax=true; AUTH_SESSION_ID=keep; KC_RESTART=keep2',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'username=a&password=b',
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toHaveLength(3);
    const got = seen[0]!;
    expect(got.url).toBe('/realms/x/login-actions/authenticate?a=1');
    expect(got.body).toBe('username=a&password=b');
    expect(got.headers.cookie).toBe('AUTH_SESSION_ID=keep; KC_RESTART=keep2');
    for (const h of ['authorization-app-api', 'ex-app-id', 'ex-app-version', 'aa-version'])
      expect(got.headers[h]).toBeUndefined();
    expect(got.headers).toMatchObject({
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'cloud.example.test',
      'x-forwarded-port': '443',
    });
  });

  it('lets only a verified Nextcloud admin reach the admin console', async () => {
    seen = [];
    expect((await fetch(`${base}/admin/master/console/`)).status).toBe(401);
    expect(
      (
        await fetch(`${base}/admin/master/console/`, {
          headers: appApiHeaders(
            { appId: 'keycloak', appVersion: '1', secret: new Secret('forged') },
            'admin',
          ),
        })
      ).status,
    ).toBe(401);
    const user = await fetch(`${base}/admin/master/console/`, { headers: signed('alice') });
    expect(user.status).toBe(403);
    expect(await user.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(seen).toHaveLength(0);
    expect((await fetch(`${base}/admin/master/console/`, { headers: signed('admin') })).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('refuses oversized headers, traversal, encoded traversal, absolute-URL targets and odd methods before Keycloak', async () => {
    seen = [];
    const raw = (line: string) =>
      new Promise<string>((ok) => {
        const socket = connect(Number(new URL(base).port), '127.0.0.1', () =>
          socket.end(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        let text = '';
        socket.on('data', (c: Buffer) => (text += c.toString()));
        socket.on('close', () => ok(text));
      });
    const huge = await raw(`GET /realms/x HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`);
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
    expect(huge).toMatch(/"code":"INVALID_INPUT"/);
    for (const line of ['GET http://evil.example/realms/x HTTP/1.1', 'TRACE /realms/x HTTP/1.1']) {
      const answer = await raw(line);
      expect(answer, line).toMatch(/^HTTP\/1\.1 4\d\d/);
      expect(answer, line).toMatch(/"code":"INVALID_INPUT"/);
    }
    // Every path whose normal form differs from what was sent: 404 JSON, Keycloak never asked.
    for (const path of NOT_NORMAL_PATHS) {
      const answer = await raw(`GET ${path} HTTP/1.1`);
      expect(answer, path).toMatch(/^HTTP\/1\.1 404/);
      expect(answer, path).toMatch(/"code":"NOT_FOUND"/);
    }
    expect(seen).toHaveLength(0);
  });

  it("refuses the password grant unless the client is named, and passes every other grant's form intact", async () => {
    seen = [];
    const tokenUrl = `${base}/realms/x/protocol/openid-connect/token`;
    const form = (body: string, headers: Record<string, string> = {}) =>
      fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const refused = await form('grant_type=password&client_id=opentalk&username=alice&password=guess');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN' });
    // The client named by HTTP Basic instead of the form: refused the same way.
    const basic = `Basic ${Buffer.from('openzaak:secret').toString('base64')}`;
    expect((await form('grant_type=password&username=a&password=b', { authorization: basic })).status).toBe(
      403,
    );
    expect(seen).toHaveLength(0);
    // A client an admin allowed, and every other grant: forwarded with the body as sent.
    expect((await form('grant_type=password&client_id=legacy-cli&username=a&password=b')).status).toBe(200);
    const refresh = 'grant_type=refresh_token&client_id=opentalk&refresh_token=abc';
    expect((await form(refresh)).status).toBe(200);
    expect(seen.map((r) => r.body)).toEqual([
      'grant_type=password&client_id=legacy-cli&username=a&password=b',
      refresh,
    ]);
    expect(seen[1]!.headers['content-length']).toBe(String(refresh.length));
  });

  it('refuses bodies over the limit (declared or chunked) with 413, and answers 504 when Keycloak is slow', async () => {
    seen = [];
    const big = 'a'.repeat(5000);
    const declared = await fetch(`${base}/realms/x/login-actions/authenticate`, {
      method: 'POST',
      body: big,
    });
    expect(declared.status).toBe(413);
    const chunked = await fetch(`${base}/realms/x/login-actions/authenticate`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(seen).toHaveLength(0);
    const slow = await fetch(`${base}/realms/x/slow`);
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('leaves paths that are not Keycloak to the app (404 here)', async () => {
    seen = [];
    expect((await fetch(`${base}/api/token`)).status).toBe(404);
    expect(seen).toHaveLength(0);
  });
});
