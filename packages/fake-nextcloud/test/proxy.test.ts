import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNextcloud, HarpBanList } from '@keycloak-exapp/fake-nextcloud';

// A tiny ExApp that echoes what reached it, sets two cookies, and redirects on /redirect.
let seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
let exapp: Server;
const nc = new FakeNextcloud();

beforeAll(async () => {
  exapp = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/api/denied')) {
      res.writeHead(Number(req.url.split('=')[1]), { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { location: '/final' }).end();
      return;
    }
    res.setHeader('set-cookie', ['KC_RESTART=a; Path=/', 'AUTH_SESSION_ID=b; Path=/']);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((resolve) => exapp.listen(0, '127.0.0.1', resolve));
  await nc.start();
  nc.addUser({ id: 'alice', displayName: 'Alice' });
  nc.exApp.target = { url: `http://127.0.0.1:${(exapp.address() as { port: number }).port}` };
  nc.exApp.routes = [
    { url: '^/realms/.*', verb: 'GET,POST', accessLevel: 'PUBLIC' },
    { url: '^/redirect', verb: 'GET', accessLevel: 'PUBLIC' },
    { url: '^/final', verb: 'GET', accessLevel: 'PUBLIC' },
    { url: '^/admin/.*', verb: 'GET,POST,PUT,DELETE', accessLevel: 'ADMIN' },
    { url: '^/api/denied', verb: 'GET', accessLevel: 'PUBLIC', bruteforceProtection: [401] },
    { url: '^/api/.*', verb: 'GET,POST', accessLevel: 'USER' },
  ];
});
afterAll(async () => {
  await nc.stop();
  await new Promise<void>((resolve) => exapp.close(() => resolve()));
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(`${nc.url}${path}`, { method, headers, redirect: 'manual' });

describe('HaRP-like proxy (/exapps/<appid>)', () => {
  it('strips the prefix, passes every header, signs for the session user and keeps every Set-Cookie', async () => {
    seen = [];
    const cookie = nc.login('alice');
    const res = await get('/exapps/keycloak/api/thing?x=1', { cookie, 'x-custom': 'yes' });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual(['KC_RESTART=a; Path=/', 'AUTH_SESSION_ID=b; Path=/']);
    const got = seen[0]!;
    expect(got.url).toBe('/api/thing?x=1');
    expect(got.headers['x-custom']).toBe('yes');
    expect(got.headers.cookie).toContain('oc_sessionPassphrase');
    expect(Buffer.from(String(got.headers['authorization-app-api']), 'base64').toString()).toBe(
      `alice:${nc.exApp.secret}`,
    );
  });

  it('does not follow redirects, answers 403 below the access level and 404 without a route, drops lifecycle calls', async () => {
    expect((await get('/exapps/keycloak/redirect')).status).toBe(302);
    expect((await get('/exapps/keycloak/admin/console', { cookie: nc.login('alice') })).status).toBe(403);
    expect((await get('/exapps/keycloak/nothing-here')).status).toBe(404);
    await expect(get('/exapps/keycloak/init', {}, 'POST')).rejects.toThrow();
  });

  it('signs anonymous visitors with an empty user on PUBLIC routes and overrides forged AppAPI headers', async () => {
    seen = [];
    await get('/exapps/keycloak/realms/x', {
      'authorization-app-api': Buffer.from('admin:forged').toString('base64'),
    });
    expect(Buffer.from(String(seen[0]!.headers['authorization-app-api']), 'base64').toString()).toBe(
      `:${nc.exApp.secret}`,
    );
  });
});

/** A GET from a loopback address of its own (HaRP bans by address); 0 when the connection is dropped. */
function getFrom(address: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const url = new URL(nc.url);
    const req = request({ host: url.hostname, port: url.port, path, localAddress: address }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

describe("HaRP's IP ban (haproxy_agent.py: 10 failures in 300 s)", () => {
  it('counts the statuses a route lists, not the others, and then drops every request of that address', async () => {
    const status = (code: number) => getFrom('127.0.0.21', `/exapps/keycloak/api/denied?s=${code}`);
    for (let i = 0; i < 15; i++) expect(await status(403)).toBe(403); // not listed: never counted
    expect(nc.harpBans.failures('127.0.0.21')).toBe(0);
    for (let i = 0; i < 10; i++) expect(await status(401)).toBe(401);
    expect(nc.harpBans.isBanned('127.0.0.21')).toBe(true);
    expect(await getFrom('127.0.0.21', '/exapps/keycloak/realms/x')).toBe(0); // even a good request
    expect(await getFrom('127.0.0.22', '/exapps/keycloak/realms/x')).toBe(200); // another address is not
  });

  it("counts HaRP's own refusals: no route, a level not met, a `..` segment, a lifecycle path", async () => {
    const from = '127.0.0.23';
    expect(await getFrom(from, '/exapps/keycloak/nothing-here')).toBe(404);
    expect(await getFrom(from, '/exapps/keycloak/admin/x')).toBe(403);
    expect(await getFrom(from, '/exapps/keycloak/realms/%2e%2e/admin/x')).toBe(0);
    expect(await getFrom(from, '/exapps/keycloak/realms/x/../../admin')).toBe(0);
    expect(await getFrom(from, '/exapps/keycloak/heartbeat')).toBe(0);
    expect(await getFrom(from, '/exapps/other-app/x')).toBe(404);
    expect(nc.harpBans.failures(from)).toBe(6);
  });

  it('forgets failures once they leave the window', () => {
    let now = 0;
    const bans = new HarpBanList(10, 300_000, () => now);
    for (let i = 0; i < 10; i++) bans.recordFailure('192.0.2.1');
    expect(bans.isBanned('192.0.2.1')).toBe(true);
    now = 300_000;
    expect(bans.isBanned('192.0.2.1')).toBe(false);
    expect(bans.failures('192.0.2.1')).toBe(0);
  });
});

describe('classic PHP-like proxy (/index.php/apps/app_api/proxy/<appid>)', () => {
  it('follows redirects itself and keeps only the first value of each header', async () => {
    const res = await get('/index.php/apps/app_api/proxy/keycloak/redirect');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url: '/final' });
    expect(res.headers.getSetCookie()).toEqual(['KC_RESTART=a; Path=/']);
  });

  it('refuses other methods, traversal and missing access with 404, and adds X-Origin-IP', async () => {
    expect((await get('/index.php/apps/app_api/proxy/keycloak/realms/x', {}, 'PATCH')).status).toBe(404);
    expect((await get('/index.php/apps/app_api/proxy/keycloak/realms/../admin/x')).status).toBe(404);
    expect((await get('/index.php/apps/app_api/proxy/keycloak/realms/%2e%2e/admin/x')).status).toBe(404);
    expect(
      (await get('/index.php/apps/app_api/proxy/keycloak/admin/x', { cookie: nc.login('alice') })).status,
    ).toBe(404);
    seen = [];
    expect((await get('/index.php/apps/app_api/proxy/keycloak/realms/x')).status).toBe(200);
    expect(seen[0]!.headers['x-origin-ip']).toBeDefined();
    expect(seen[0]!.headers['content-length']).toBeUndefined();
  });
});
