import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { describeUserDirectoryContract } from '@keycloak-exapp/core/testing';
import { AppApiClient, NextcloudHttp, NextcloudUserDirectory } from '@keycloak-exapp/adapter-nextcloud';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';

function connect(
  nc: FakeNextcloud,
  opts: { actingUser?: string; secret?: string; timeoutMs?: number; url?: string } = {},
) {
  const http = new NextcloudHttp({
    url: `${opts.url ?? nc.url}/index.php`,
    appId: nc.exApp.appId,
    appVersion: nc.exApp.version,
    secret: new Secret(opts.secret ?? nc.exApp.secret),
    requestTimeoutMs: opts.timeoutMs ?? 5_000,
  });
  return {
    http,
    directory: new NextcloudUserDirectory(http, { actingUser: opts.actingUser ?? 'admin', pageSize: 4 }),
    appApi: new AppApiClient(http),
  };
}

describeUserDirectoryContract('NextcloudUserDirectory over HTTP against the fake Nextcloud', async () => {
  const nc = await new FakeNextcloud().start();
  const { directory } = connect(nc);
  return {
    port: directory,
    seed: (users) => {
      nc.addUsers(users);
      return Promise.resolve();
    },
    remove: (id) => {
      nc.removeUser(id);
      return Promise.resolve();
    },
    dispose: () => nc.stop(),
  };
});

describe('NextcloudUserDirectory: quirks and faults', () => {
  let nc: FakeNextcloud;
  beforeAll(async () => {
    nc = await new FakeNextcloud().start();
    nc.addUser({ id: '4711', displayName: 'Numeric Id', email: '' });
    nc.addUser({ id: 'zoe', displayName: 'Zoë van der Berg', email: 'zoe@example.test', groups: ['staff'] });
  });
  afterAll(() => nc.stop());

  it('reads numeric ids that PHP sends as numbers, and an empty e-mail as missing', async () => {
    const { directory } = connect(nc);
    expect(await directory.listUserIds()).toEqual(expect.arrayContaining(['4711', 'zoe', 'admin']));
    expect(await directory.getUser('4711')).toMatchObject({ id: '4711', email: null });
    expect((await directory.getUser('zoe'))?.displayName).toBe('Zoë van der Berg');
  });

  it('finds no user "." or ".." (cloud/users/../groups is cloud/groups, every group: admin included)', async () => {
    const { directory, http } = connect(nc);
    // What such an id would have read: Nextcloud's list of all groups, with `admin` in it.
    expect(
      JSON.stringify(
        await http.ocs({ method: 'GET', path: 'cloud/users/../groups', user: 'admin', what: 'probe' }),
      ),
    ).toContain('admin');
    for (const id of ['.', '..']) {
      expect(await directory.getUserGroups(id)).toBeUndefined();
      expect(await directory.getUser(id)).toBeUndefined();
    }
  });

  it('names the acting user when Nextcloud refuses the credentials (997)', async () => {
    await expect(connect(nc, { secret: 'wrong' }).directory.getUser('zoe')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      message: expect.stringContaining('"admin"'),
    });
    await expect(connect(nc, { actingUser: '' }).directory.listUserIds()).rejects.toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
    });
  });

  it('never treats a user as missing because the acting user is not an admin', async () => {
    const { directory } = connect(nc, { actingUser: 'zoe' });
    expect(await directory.getUser('zoe')).toMatchObject({ id: 'zoe' });
    expect(await directory.getUser('4711')).toBeUndefined(); // 998: invisible is reported as unknown…
    const pages = [];
    for await (const page of directory.listUsers()) pages.push(page);
    expect(pages.flat()).toEqual([]); // …and the listing is empty, which the sync refuses to act on
  });

  it('turns a 5xx HTML page, a timeout and an unreachable server into typed retryable errors', async () => {
    nc.failNext(500, 3);
    await expect(connect(nc).directory.getUser('zoe')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    nc.hangNext(3);
    await expect(connect(nc, { timeoutMs: 300 }).directory.getUser('zoe')).rejects.toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
    });
    nc.clearFaults();
    await expect(connect(nc, { url: 'http://127.0.0.1:1' }).directory.getUser('zoe')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('fails a listing whose middle page fails instead of returning a short list', async () => {
    const { directory } = connect(nc);
    nc.addUsers(Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, displayName: `P ${i}` })));
    const seen: string[] = [];
    const iterate = async () => {
      let page = 0;
      for await (const users of directory.listUsers()) {
        seen.push(...users.map((u) => u.id));
        if (++page === 1) nc.failNext(500, 3);
      }
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(seen.length).toBe(4);
  });
});

describe('NextcloudUserDirectory: malformed answers', () => {
  let server: Server;
  let body = '';
  let status = 200;
  let url = '';
  beforeAll(async () => {
    server = createServer((_req, res) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(body),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: [string, number, string, string][] = [
    ['truncated JSON', 200, '{"ocs":{"meta":{"status":"ok","statuscode":200', 'UPSTREAM_ERROR'],
    ['an HTML login page', 200, '<!DOCTYPE html><html><body>Login</body></html>', 'UPSTREAM_ERROR'],
    [
      'a 200 with an OCS failure inside',
      200,
      '{"ocs":{"meta":{"status":"failure","statuscode":996,"message":"boom"},"data":[]}}',
      'UPSTREAM_UNAVAILABLE',
    ],
    ['JSON that is not an envelope', 200, '{"users":["a"]}', 'UPSTREAM_ERROR'],
    [
      'details without the enabled flag (sub-admin view)',
      200,
      '{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"id":"x"}}}',
      'UPSTREAM_ERROR',
    ],
    [
      'a wrong type inside the data',
      200,
      '{"ocs":{"meta":{"status":"ok","statuscode":200,"message":"OK"},"data":{"id":"x","enabled":"yes"}}}',
      'UPSTREAM_ERROR',
    ],
  ];
  for (const [name, s, b, code] of cases) {
    it(`maps ${name} to ${code}`, async () => {
      status = s;
      body = b;
      const http = new NextcloudHttp({ url, appId: 'keycloak', appVersion: '1', secret: new Secret('x') });
      await expect(
        new NextcloudUserDirectory(http, { actingUser: 'admin' }).getUser('x'),
      ).rejects.toMatchObject({ code });
    });
  }

  it('encodes ids with slashes, percent signs and unicode into the path', async () => {
    const nc = await new FakeNextcloud().start();
    try {
      for (const id of ['a/b', '100%', 'Zoë', '../admin', 'x'.repeat(300)]) {
        nc.addUser({ id, displayName: id });
        expect((await connect(nc).directory.getUser(id))?.id).toBe(id);
      }
      expect(await connect(nc).directory.getUser('../admin/../bob')).toBeUndefined();
    } finally {
      await nc.stop();
    }
  });
});

describe('AppApiClient', () => {
  it('reports progress and errors, and registers and removes the top menu and its script', async () => {
    const nc = await new FakeNextcloud().start();
    try {
      const { appApi } = connect(nc);
      await appApi.reportProgress(42);
      expect(nc.initStatus.progress).toBe(42);
      await appApi.reportError('Keycloak did not start');
      expect(nc.initStatus.error).toBe('Keycloak did not start');
      await appApi.registerTopMenu({
        name: 'keycloak',
        displayName: 'Keycloak',
        icon: '/img/app.svg',
        adminRequired: true,
      });
      await appApi.registerTopMenuScript('keycloak', 'js/keycloak-admin.js');
      expect(nc.topMenus.get('keycloak')).toMatchObject({
        display_name: 'Keycloak',
        icon: 'img/app.svg',
        admin_required: 1,
      });
      expect([...nc.scripts.values()]).toEqual([
        expect.objectContaining({ type: 'top_menu', name: 'keycloak', path: 'js/keycloak-admin' }),
      ]);
      expect(nc.calls.every((c) => c.user === null)).toBe(true);
      await appApi.unregisterTopMenu('keycloak');
      await appApi.unregisterTopMenu('keycloak'); // already gone: fine
      expect(nc.topMenus.size).toBe(0);
      expect(nc.scripts.size).toBe(0);
    } finally {
      await nc.stop();
    }
  });
});
