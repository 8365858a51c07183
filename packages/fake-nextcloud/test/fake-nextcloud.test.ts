import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNextcloud, NEXTCLOUD_FIXTURES_DIR } from '@keycloak-exapp/fake-nextcloud';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const jsonOf = async (res: Response): Promise<any> => (await res.json()) as any;

const FIXTURES = NEXTCLOUD_FIXTURES_DIR;

/** The request each released fixture answers (from the fixtures' README, §11). */
const REQUESTS: Record<string, { path: string; status: number }> = {
  'ocs-v1-users-list.json': {
    path: '/ocs/v1.php/cloud/users?search=&limit=3&offset=0&format=json',
    status: 200,
  },
  'ocs-v2-users-details-page.json': {
    path: '/ocs/v2.php/cloud/users/details?limit=3&offset=0&format=json',
    status: 200,
  },
  'ocs-v2-user-enabled.json': { path: '/ocs/v2.php/cloud/users/alice?format=json', status: 200 },
  'ocs-v1-user-disabled.json': { path: '/ocs/v1.php/cloud/users/bob?format=json', status: 200 },
  'ocs-v1-user-not-found.json': { path: '/ocs/v1.php/cloud/users/carol?format=json', status: 200 },
  'ocs-v2-user-not-found.json': { path: '/ocs/v2.php/cloud/users/carol?format=json', status: 404 },
  'ocs-v2-user-groups.json': { path: '/ocs/v2.php/cloud/users/zoe/groups?format=json', status: 200 },
};

function detailsOf(fixture: string, id: string): Record<string, unknown> {
  const json = JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8'));
  return json.ocs.data.users[id];
}

describe('FakeNextcloud answers exactly like the fixtures', () => {
  const nc = new FakeNextcloud({ admins: ['admin'] });
  let headers: Record<string, string>;

  beforeAll(async () => {
    await nc.start();
    // The fixtures' users, with the server-side fields Nextcloud would hold for them.
    for (const id of ['alice', 'bob', 'zoe']) {
      const d = detailsOf('ocs-v2-users-details-page.json', id);
      nc.addUser({
        id,
        displayName: d.displayname as string,
        email: d.email as string | null,
        enabled: d.enabled as boolean,
        groups: d.groups as string[],
        details: d,
      });
    }
    nc.removeUser('admin'); // the admin exists but is not listed in the fixture pages
    nc.admins.add('root');
    nc.addUser({ id: 'root', displayName: 'zzz root', groups: ['admin'] });
    headers = {
      ...nc.appApi.systemHeaders(),
      'authorization-app-api': Buffer.from(`root:${nc.exApp.secret}`).toString('base64'),
      'ocs-apirequest': 'true',
    };
  });
  afterAll(() => nc.stop());

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.includes('.synthetic.'));

  it('has a request for every released fixture', () => {
    expect(files.sort()).toEqual(Object.keys(REQUESTS).sort());
  });

  for (const file of Object.keys(REQUESTS)) {
    it(`matches ${file}`, async () => {
      const { path, status } = REQUESTS[file]!;
      const res = await fetch(`${nc.url}${path}`, { headers });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = await res.text();
      expect(JSON.parse(body)).toEqual(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')));
    });
  }

  it('escapes like PHP: slashes, non-ASCII and tags', async () => {
    const res = await fetch(`${nc.url}/ocs/v2.php/cloud/users/zoe?format=json`, { headers });
    const body = await res.text();
    expect(body).toContain('\\/var\\/www\\/html\\/data\\/zoe');
    expect(body).toContain('Zo\\u00eb');
    expect(body).not.toContain('\n');
  });

  it('returns [] for an empty details page and numbers for numeric ids', async () => {
    nc.addUser({ id: '12345', displayName: 'Numeric' });
    const empty = await jsonOf(
      await fetch(`${nc.url}/ocs/v2.php/cloud/users/details?search=nobody-matches&format=json`, { headers }),
    );
    expect(empty.ocs.data).toEqual({ users: [] });
    const ids = await jsonOf(
      await fetch(`${nc.url}/ocs/v2.php/cloud/users?search=12345&format=json`, { headers }),
    );
    expect(ids.ocs.data.users).toEqual([12345]);
    nc.removeUser('12345');
  });
});

describe('FakeNextcloud enforces AppAPI authentication like Nextcloud', () => {
  const nc = new FakeNextcloud();
  beforeAll(async () => {
    await nc.start();
    nc.addUser({ id: 'alice', displayName: 'Alice' });
    nc.addUser({ id: 'bob', displayName: 'Bob' });
  });
  afterAll(() => nc.stop());

  const sign = (user: string, secret = nc.exApp.secret, extra: Record<string, string> = {}) => ({
    'authorization-app-api': Buffer.from(`${user}:${secret}`).toString('base64'),
    'ex-app-id': nc.exApp.appId,
    'ex-app-version': nc.exApp.version,
    'ocs-apirequest': 'true',
    ...extra,
  });

  it('answers 401/997 to a wrong secret on both API families', async () => {
    for (const path of [
      '/ocs/v2.php/cloud/users/alice',
      '/ocs/v2.php/apps/app_api/api/v1/ui/top-menu?name=x',
    ]) {
      const res = await fetch(`${nc.url}${path}?format=json`, { headers: sign('admin', 'wrong') });
      expect(res.status).toBe(401);
      expect((await jsonOf(res)).ocs.meta.statuscode).toBe(997);
    }
  });

  it('answers 401/997 to an empty user on the provisioning API and to an empty EX-APP-VERSION', async () => {
    expect(
      (await fetch(`${nc.url}/ocs/v1.php/cloud/users/alice?format=json`, { headers: sign('') })).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${nc.url}/ocs/v2.php/cloud/users/alice?format=json`, {
          headers: sign('admin', nc.exApp.secret, { 'ex-app-version': '' }),
        })
      ).status,
    ).toBe(401);
  });

  it('lets a non-admin acting user see only itself (998 otherwise)', async () => {
    expect(
      (await fetch(`${nc.url}/ocs/v2.php/cloud/users/alice?format=json`, { headers: sign('alice') })).status,
    ).toBe(200);
    const other = await fetch(`${nc.url}/ocs/v2.php/cloud/users/bob?format=json`, { headers: sign('alice') });
    expect(other.status).toBe(404);
    expect((await jsonOf(other)).ocs.meta.statuscode).toBe(998);
    const v1 = await fetch(`${nc.url}/ocs/v1.php/cloud/users/bob?format=json`, { headers: sign('alice') });
    expect(v1.status).toBe(200);
    expect((await jsonOf(v1)).ocs.meta.statuscode).toBe(998);
  });

  it('can fail with 5xx, hang, and be mutated', async () => {
    nc.failNext(500);
    expect(
      (await fetch(`${nc.url}/ocs/v2.php/cloud/users/alice?format=json`, { headers: sign('admin') })).status,
    ).toBe(500);
    nc.users.put({ id: 'alice', enabled: false });
    const res = await jsonOf(
      await fetch(`${nc.url}/ocs/v2.php/cloud/users/alice?format=json`, { headers: sign('admin') }),
    );
    expect(res.ocs.data.enabled).toBe(false);
  });

  it('holds 10 000 users and pages through them all', async () => {
    nc.addUsers(
      Array.from({ length: 10_000 }, (_, i) => ({
        id: `bulk${i}`,
        displayName: `Bulk ${i}`,
        email: `bulk${i}@example.test`,
      })),
    );
    let seen = 0;
    for (let offset = 0; ; offset += 500) {
      const page = await jsonOf(
        await fetch(`${nc.url}/ocs/v2.php/cloud/users/details?limit=500&offset=${offset}&format=json`, {
          headers: sign('admin'),
        }),
      );
      const n = Array.isArray(page.ocs.data.users) ? 0 : Object.keys(page.ocs.data.users).length;
      seen += n;
      if (n < 500) break;
    }
    expect(seen).toBe(10_003);
  });
});
