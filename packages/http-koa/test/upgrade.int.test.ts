// Upgrades keep data: a volume (dev-file) and a PostgreSQL database written by Keycloak 26.5.6, the
// version the original ExApp ships, then started by the same server with the pinned version. The
// realm, its clients, users and groups and the consumer secret survive, the next token needs no
// password write, and the init marker is honoured (no second install). Runs on the checkout.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYCLOAK_VERSION, KeycloakHttp } from '@keycloak-exapp/adapter-keycloak';
import { Secret } from '@keycloak-exapp/core';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { OPENTALK_SECRET, call, startExApp, type ExAppHarness } from './exapp-harness.js';
import { freshDatabase } from './postgres.js';

const FROM = '26.5.6';
const TO = DEFAULT_KEYCLOAK_VERSION;
const REALM = 'commonground';
function adminOf(h: ExAppHarness, secrets: { keycloakAdminClientSecret: string }): KeycloakHttp {
  return new KeycloakHttp({
    baseUrl: h.server.keycloakUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  });
}

async function get<T>(http: KeycloakHttp, path: string): Promise<T> {
  return JSON.parse((await http.admin('GET', path, { what: `GET ${path}` })).body) as T;
}

/** What must survive: clients, users with their groups and password credential, the secrets file. */
async function snapshot(h: ExAppHarness) {
  const secretsText = await readFile(join(h.storage, 'keycloak-exapp-secrets.json'), 'utf8');
  const http = adminOf(h, JSON.parse(secretsText) as { keycloakAdminClientSecret: string });
  const clients = (await get<{ clientId: string }[]>(http, `admin/realms/${REALM}/clients`))
    .map((c) => c.clientId)
    .sort();
  const users = await get<{ id: string; username: string; attributes?: Record<string, string[]> }[]>(
    http,
    `admin/realms/${REALM}/users?briefRepresentation=false&max=100`,
  );
  const detail = [];
  for (const user of users.sort((a, b) => a.username.localeCompare(b.username))) {
    const groups = (await get<{ name: string }[]>(http, `admin/realms/${REALM}/users/${user.id}/groups`)).map(
      (g) => g.name,
    );
    const credentials = (
      await get<{ type: string; createdDate: number }[]>(
        http,
        `admin/realms/${REALM}/users/${user.id}/credentials`,
      )
    )
      .filter((c) => c.type === 'password')
      .map((c) => c.createdDate);
    detail.push({
      username: user.username,
      id: user.id,
      nextcloudId: user.attributes?.nextcloud_id,
      groups,
      credentials,
    });
  }
  const version = (await get<{ systemInfo: { version: string } }>(http, 'admin/serverinfo')).systemInfo
    .version;
  return { secretsText, clients, users: detail, version };
}

const tokenFor = (h: ExAppHarness, user: string) =>
  call(h.url, 'POST', '/api/token?client_id=opentalk', {
    'x-api-secret': OPENTALK_SECRET,
    'x-nc-user-id': user,
  });

describe.each(['dev-file', 'postgres'] as const)(`an upgrade from Keycloak ${FROM} to ${TO} on %s`, (db) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }, 120_000);

  it('keeps the realm, clients, users, groups and secrets; no password write, no second install', async () => {
    const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
    cleanup.push(() => nc.stop());
    nc.addUser({
      id: 'alice',
      displayName: 'Alice Adams',
      email: 'alice@example.test',
      groups: ['staff', 'design'],
    });
    nc.addUser({ id: 'Zoë', displayName: 'Zoë van der Berg', email: 'zoe@example.test', groups: ['staff'] });
    const storage = await mkdtemp(join(tmpdir(), `keycloak-exapp-upgrade-${db}-`));
    cleanup.push(() => rm(storage, { recursive: true, force: true }));
    const database: Record<string, string> = { KEYCLOAK_DB: db };
    if (db === 'postgres') {
      const fresh = freshDatabase('kc_upgrade');
      cleanup.push(fresh.drop);
      Object.assign(database, fresh.env);
    }

    // The old version installs, syncs and serves tokens (which sets the users' passwords).
    const old = await startExApp({ ...database, KEYCLOAK_VERSION: FROM }, { nc, storage });
    let oldRunning = true;
    cleanup.push(async () => {
      if (oldRunning) await old.dispose();
    });
    expect((await old.nc.appApi.install({ timeoutMs: 480_000 })).error).toBe('');
    for (const user of ['alice', 'Zoë']) expect((await tokenFor(old, user)).status).toBe(200);
    const before = await snapshot(old);
    expect(before.version).toBe(FROM);
    const withTokens = before.users.filter((u) => ['alice', 'Zoë'].includes(u.nextcloudId?.[0] ?? ''));
    expect(withTokens.map((u) => u.credentials.length)).toEqual([1, 1]);
    await old.dispose();
    oldRunning = false;
    const progressCalls = () => nc.calls.filter((c) => c.path.includes('ex-app/status')).length;
    const reportsBefore = progressCalls();

    // The new version starts on the same volume and database, as after an image update.
    const next = await startExApp({ ...database, KEYCLOAK_VERSION: TO }, { nc, storage });
    cleanup.push(() => next.dispose());
    await next.server.lifecycle.resume();
    expect(next.server.readiness.state()).toBe('ready');
    for (const user of ['alice', 'Zoë']) expect((await tokenFor(next, user)).status).toBe(200);
    const after = await snapshot(next);
    expect(after.version).toBe(TO);
    expect(after.secretsText).toBe(before.secretsText);
    expect(after.clients).toEqual(before.clients);
    // Same users with the same ids, groups and the very password credential set by the old version.
    expect(after.users).toEqual(before.users);
    expect(progressCalls()).toBe(reportsBefore); // resumed from the init marker, not installed again
  }, 900_000);
});
