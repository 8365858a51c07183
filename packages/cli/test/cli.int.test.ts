import type { Server } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import {
  Secret,
  SignInWithNextcloud,
  UserNotFoundError,
  noopLogger,
  systemClock,
} from '@keycloak-exapp/core';
import { createApp, createHttpServer, signInBrokerRouter } from '@keycloak-exapp/http-koa';
import { KeycloakHttp, ensureRuntimeAccount, loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { RUNTIME_CLIENT_ID, SIGN_IN_CLIENT_ID, loadOrCreateSecrets } from '@keycloak-exapp/composition';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import type {} from '../../adapter-keycloak/test/keycloak.global-setup.js';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';
import { runCli, startCliNextcloud } from './cli-run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const server = inject('keycloakServers')[0]!;
const realm = uniqueRealm('cli');
const fileRealm = uniqueRealm('cli-file');
const nc = new FakeNextcloud();
let storage: string;
let baseEnv: Record<string, string>;
let broker: Server;

const adminHttp = () =>
  new KeycloakHttp({
    baseUrl: server.baseUrl,
    admin: {
      kind: 'client',
      clientId: server.adminClientId,
      clientSecret: new Secret(server.adminClientSecret),
    },
  });

/** The CLI with this file's settings (and `env` on top), under the hook that forbids the web layer. */
const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { ...baseEnv, ...env });

beforeAll(async () => {
  storage = await startCliNextcloud(nc, 'cli-');
  const secrets = await loadOrCreateSecrets(storage);
  // The server's sign-in broker endpoints (its own listener), as a running server has them.
  const signIn = new SignInWithNextcloud({
    client: {
      clientId: SIGN_IN_CLIENT_ID,
      secret: new Secret(secrets.signInClientSecret),
      redirectUri: `${server.baseUrl}/realms/${realm}/broker/nextcloud/endpoint`,
    },
    checkUser: (id) => Promise.reject(new UserNotFoundError(id)),
    clock: systemClock,
  });
  broker = createHttpServer(createApp({ logger: noopLogger, routers: [signInBrokerRouter(signIn)] }));
  await new Promise<void>((ok) => broker.listen(0, '127.0.0.1', ok));
  const brokerUrl = `http://127.0.0.1:${(broker.address() as { port: number }).port}`;
  for (const r of [realm, fileRealm])
    await realmHarness(server, r).port.reconcileRealm(
      await loadRealmFile(undefined, {
        realm: r,
        signInEndpoints: {
          authorizationUrl: `${nc.url}/exapps/${nc.exApp.appId}/sign-in/authorize`,
          tokenUrl: `${brokerUrl}/sign-in/token`,
          userInfoUrl: `${brokerUrl}/sign-in/userinfo`,
          clientId: SIGN_IN_CLIENT_ID,
          clientSecret: new Secret(secrets.signInClientSecret),
        },
      }),
    );
  // As the server's realm reconcile leaves it: the runtime account with the secret on the volume.
  await ensureRuntimeAccount(adminHttp(), realm, {
    clientId: RUNTIME_CLIENT_ID,
    secret: new Secret(secrets.keycloakRuntimeClientSecret),
  });
  baseEnv = {
    KEYCLOAK_URL: server.baseUrl,
    KEYCLOAK_ADMIN_CLIENT_ID: server.adminClientId,
    KEYCLOAK_ADMIN_CLIENT_SECRET: server.adminClientSecret,
    KEYCLOAK_REALM: realm,
    NEXTCLOUD_URL: nc.url,
    APP_ID: nc.exApp.appId,
    APP_SECRET: nc.exApp.secret,
    APP_PERSISTENT_STORAGE: storage,
  };
}, 300_000);
afterAll(async () => {
  await nc.stop();
  await new Promise((ok) => broker.close(ok));
  for (const r of [realm, fileRealm]) await realmHarness(server, r).deleteRealm();
  await rm(storage, { recursive: true, force: true });
});

describe('keycloak-exapp sync', () => {
  it('--dry-run prints the plan and writes nothing', async () => {
    const res = await cli(['sync', '--dry-run', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ dryRun: true, created: 3 });
    expect(res.json().plan).toEqual(expect.arrayContaining([{ kind: 'create', userId: 'alice' }]));
    expect(await realmHarness(server, realm).port.findUserByNextcloudId('alice')).toBeUndefined();
  });

  it('syncs everyone, then finds nothing to change; prints a summary table without --json', async () => {
    expect((await cli(['sync', '--json'])).json()).toMatchObject({ created: 3, failed: [] });
    const again = await cli(['sync']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/unchanged\s+3/);
    expect(again.stderr).toMatch(/sync: 3\/3 users/); // plain progress lines when not a TTY
  });

  it('--user syncs one user', async () => {
    nc.users.put({ id: 'bob', displayName: 'Bob Brown' });
    expect((await cli(['sync', '--user', 'bob', '--dry-run', '--json'])).json()).toMatchObject({
      outcome: 'update',
    });
    expect((await cli(['sync', '--user', 'bob', '--json'])).json()).toEqual({
      userId: 'bob',
      outcome: 'update',
    });
    expect((await cli(['sync', '--user', 'bob', '--json'])).json()).toEqual({
      userId: 'bob',
      outcome: 'unchanged',
    });
  });

  it('--nextcloud-url reads Nextcloud with an admin app password (outside AppAPI)', async () => {
    nc.appPasswords.set('admin', 'app-password-for-the-cli');
    const res = await cli(['sync', '--nextcloud-url', nc.url, '--dry-run', '--json'], {
      NEXTCLOUD_APP_PASSWORD: 'app-password-for-the-cli',
      APP_SECRET: undefined,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ dryRun: true, unchanged: 3 });
    const wrong = await cli(['sync', '--nextcloud-url', nc.url, '--dry-run'], {
      NEXTCLOUD_APP_PASSWORD: 'wrong',
    });
    expect(wrong.code).toBe(5);
  });

  it('--users-file reads the documented JSON format', async () => {
    const res = await cli(['sync', '--users-file', join(ROOT, 'examples/users.json'), '--json'], {
      KEYCLOAK_REALM: fileRealm,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ created: 4, failed: [] });
  });
});

describe('keycloak-exapp token', () => {
  it('--decode prints issuer, audience, groups and claims, never the token unless asked', async () => {
    const res = await cli(['token', 'alice', '--client', 'opentalk', '--decode', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = res.json();
    expect(out.issuer).toMatch(new RegExp(`/realms/${realm}$`));
    expect(out.groups).toEqual(['staff']);
    expect(out.claims.preferred_username).toBe('alice');
    expect(out.access_token).toBeUndefined();
    expect(res.stdout).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    expect(
      (await cli(['token', 'alice', '--client', 'opentalk', '--show-token', '--json'])).json().access_token,
    ).toMatch(/^eyJ/);
  });

  it('refuses admin-cli with exit 4 and a one-line error', async () => {
    const res = await cli(['token', 'alice', '--client', 'admin-cli']);
    expect(res.code).toBe(4);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/allow-list/);
  });
});

describe('keycloak-exapp doctor', () => {
  it('passes every check on a healthy installation', async () => {
    const res = await cli(['doctor']);
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).not.toContain('✗');
    expect(res.stdout.match(/✓/g)?.length).toBe(10);
    expect(res.stdout).toMatch(
      /✓ sign in with Nextcloud.*: nextcloud → .*\/sign-in\/authorize; Keycloak redeems codes at http:\/\/127\.0\.0\.1:\d+\/sign-in\/token$/m,
    );
    expect(res.stdout).toMatch(
      /✓ the server's runtime account \(keycloak-exapp-runtime\).*: manage-users, query-groups, query-users, view-users$/m,
    );
  });

  it('names a role the runtime account holds beyond its need; the next realm reconcile takes it away', async () => {
    const http = adminHttp();
    const base = `admin/realms/${realm}`;
    const list = z.array(
      z.object({ id: z.string(), clientId: z.string(), name: z.string().optional() }).loose(),
    );
    const find = async (clientId: string) =>
      (
        await http.adminJson('GET', `${base}/clients`, list, { searchParams: { clientId }, what: 'client' })
      )[0]!;
    const runtime = await find(RUNTIME_CLIENT_ID);
    const management = await find('realm-management');
    const user = await http.adminJson(
      'GET',
      `${base}/clients/${runtime.id}/service-account-user`,
      z.object({ id: z.string() }).loose(),
      { what: 'sa' },
    );
    const role = await http.adminJson(
      'GET',
      `${base}/clients/${management.id}/roles/manage-clients`,
      z.object({ id: z.string(), name: z.string() }).loose(),
      { what: 'role' },
    );
    await http.admin('POST', `${base}/users/${user.id}/role-mappings/clients/${management.id}`, {
      json: [{ id: role.id, name: role.name }],
      what: 'grant manage-clients',
    });
    const widened = await cli(['doctor']);
    expect(widened.code).toBe(9);
    expect(widened.stdout).toMatch(/✗ the server's runtime account.*more than it needs: manage-clients/);
    const secrets = await loadOrCreateSecrets(storage);
    await ensureRuntimeAccount(http, realm, {
      clientId: RUNTIME_CLIENT_ID,
      secret: new Secret(secrets.keycloakRuntimeClientSecret),
    });
    expect((await cli(['doctor'])).code).toBe(0);
  });

  it('says which public base URL it checked the issuer against', async () => {
    const res = await cli(['doctor'], { KC_HOSTNAME: server.baseUrl });
    expect(res.code, res.stdout).toBe(0);
    expect(res.stdout).toMatch(/✓ issuer .*\(base from KC_HOSTNAME\)/);
  });

  const broken: [string, Record<string, string>, RegExp][] = [
    ['Keycloak unreachable', { KEYCLOAK_URL: 'http://127.0.0.1:1' }, /✗ Keycloak reachable/],
    ['wrong admin credentials', { KEYCLOAK_ADMIN_CLIENT_SECRET: 'wrong' }, /✗ the setup account/],
    ['realm missing', { KEYCLOAK_REALM: 'no-such-realm' }, /✗ realm "no-such-realm"/],
    ['issuer not matching KC_HOSTNAME', { KC_HOSTNAME: 'https://elsewhere.example.test/kc' }, /✗ issuer/],
    [
      "Keycloak's pages behind the classic proxy (sign-in cannot work there)",
      { KC_HOSTNAME: 'https://cloud.example.test/index.php/apps/app_api/proxy/keycloak' },
      /✗ sign in with Nextcloud.*classic proxy/s,
    ],
    ['wrong AppAPI secret', { APP_SECRET: 'wrong-secret' }, /✗ Nextcloud reachable.*APP_SECRET/s],
    [
      'acting user not an admin',
      { NEXTCLOUD_ACTING_USER: 'alice' },
      /✗ Nextcloud reachable.*not a Nextcloud admin/s,
    ],
    ['public default consumer secret', { KEYCLOAK_API_SECRET: 'changeme' }, /✗ consumer secret/],
    [
      'storage not writable',
      { APP_PERSISTENT_STORAGE: '/dev/null/keycloak-exapp' },
      /✗ persistent storage writable/,
    ],
  ];
  for (const [name, env, expected] of broken) {
    it(`fails with exit 9 and names the fix when: ${name}`, async () => {
      const res = await cli(['doctor'], env);
      expect(res.code, res.stdout + res.stderr).toBe(9);
      expect(res.stdout).toMatch(expected);
      expect(res.stdout).toMatch(/fix: /);
    });
  }
});

describe('keycloak-exapp secret rotate-password-key (the answer to a leaked volume)', () => {
  const secretsFile = () => join(storage, 'keycloak-exapp-secrets.json');
  const readSecrets = async () =>
    JSON.parse(await readFile(secretsFile(), 'utf8')) as {
      passwordKey: string;
      previousPasswordKey?: string;
    };

  it("re-sets every password from a new key, ends the users' sessions, then deletes the old key; resumable", async () => {
    expect((await cli(['token', 'alice', '--client', 'opentalk', '--json'])).code).toBe(0);
    const port = realmHarness(server, realm).port;
    const before = (await port.findUserByNextcloudId('alice'))!;
    expect(before.passwordKeyId).not.toBeNull();
    const oldKey = (await readSecrets()).passwordKey;
    const http = new KeycloakHttp({
      baseUrl: server.baseUrl,
      admin: {
        kind: 'client',
        clientId: server.adminClientId,
        clientSecret: new Secret(server.adminClientSecret),
      },
    });
    const sessions = async (id: string) =>
      (
        await http.adminJson('GET', `admin/realms/${realm}/users/${id}/sessions`, z.array(z.unknown()), {
          what: 'sessions',
        })
      ).length;
    expect(await sessions(before.id)).toBeGreaterThan(0);

    const res = await cli(['secret', 'rotate-password-key', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = res.json();
    expect(out).toMatchObject({ finished: true, failed: [] });
    expect(out.rotated).toBeGreaterThanOrEqual(1);
    const after = await readSecrets();
    expect(after.passwordKey).not.toBe(oldKey);
    expect(after.previousPasswordKey).toBeUndefined(); // the pass finished: the old key is gone
    const rotated = (await port.findUserByNextcloudId('alice'))!;
    expect(rotated.passwordKeyId).toBe(out.keyId);
    expect(rotated.passwordKeyId).not.toBe(before.passwordKeyId);
    expect(await sessions(before.id)).toBe(0); // no refresh token from the old password survives
    expect(res.stdout + res.stderr).not.toContain(after.passwordKey);
    expect(res.stdout + res.stderr).not.toContain(oldKey);

    // An interrupted pass (the new key written, the old one still kept) is resumed, not restarted.
    await writeFile(secretsFile(), JSON.stringify({ ...after, previousPasswordKey: oldKey }), {
      mode: 0o600,
    });
    const resumed = await cli(['secret', 'rotate-password-key', '--json']);
    expect(resumed.stderr).toMatch(/resuming the rotation/);
    expect(resumed.json()).toMatchObject({ keyId: out.keyId, rotated: 0, finished: true });
    expect((await readSecrets()).previousPasswordKey).toBeUndefined();
    // Tokens work on the new key without any password reset.
    const token = await cli(['token', 'alice', '--client', 'opentalk', '--json']);
    expect(token.code, token.stderr).toBe(0);
    expect((await port.findUserByNextcloudId('alice'))!.passwordKeyId).toBe(out.keyId);
  });
});

describe('keycloak-exapp secret, keycloak status and bad input', () => {
  it('shows and rotates the consumer secret on the volume', async () => {
    const first = (await cli(['secret', 'show'])).stdout.trim();
    expect(first.length).toBeGreaterThanOrEqual(32);
    const rotated = (await cli(['secret', 'rotate', '--json'])).json().consumerSecret;
    expect(rotated).not.toBe(first);
    expect((await cli(['secret', 'show'])).stdout.trim()).toBe(rotated);
  });

  it('reports a Keycloak that is not running', async () => {
    const res = await cli(['keycloak', 'status', '--json']);
    expect(res.code).toBe(6);
    expect(res.json()).toEqual({ state: 'not running', baseUrl: null });
  });

  it('turns unknown flags, missing settings and unreachable services into one line and a non-zero exit', async () => {
    const unknown = await cli(['sync', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option/);
    const missing = await cli(['sync'], { NEXTCLOUD_URL: undefined });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/NEXTCLOUD_URL/);
    const down = await cli(['sync'], { KEYCLOAK_URL: 'http://127.0.0.1:1' });
    expect(down.code).toBe(6);
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const withStack = await cli(['sync', '--debug'], { KEYCLOAK_URL: 'http://127.0.0.1:1' });
    expect(withStack.stderr).toMatch(/\n\s+at /);
  });
});

describe('the web layer', () => {
  it('is loaded by `serve` alone: under the same hook, serve stops naming it, every other command here ran', async () => {
    const run = await cli(['serve']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/web layer loaded: @keycloak-exapp\/http-koa\/serve/);
  });
});
