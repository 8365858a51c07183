// External mode, end to end, against a two-node Keycloak cluster on PostgreSQL behind Debian's
// HAProxy: `keycloak connect` makes the ExApp's least-privilege client, the e2e modules run
// through the ExApp, then the fault tests kill nodes under load and while syncing, and two writers
// sync at once. The token cache is off, so every token request reaches Keycloak.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerivedPasswordVault, Secret, usernameForNextcloudId } from '@keycloak-exapp/core';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import {
  startKeycloakCluster,
  type ClusterNode,
  type KeycloakCluster,
  startHaproxy,
  type LoadBalancer,
} from '@keycloak-exapp/test-support';
import { OPENTALK_SECRET, OPS_SECRET, REPO_ROOT, call, startExApp } from './exapp-harness.js';
import { runCli } from './cli-process.js';
import { REALM, addE2eUsers, e2e, token } from './e2e/context.js';
import { describeInstall } from './e2e/install.js';
import { describeLeastPrivilege } from './e2e/least-privilege.js';
import { describeSyncApi } from './e2e/sync-api.js';
import { describeTokenApi } from './e2e/token-api.js';

/** A crashed node stays down this long before its supervisor starts it again. */
const RESTART_DELAY_MS = 20_000;
let cluster: KeycloakCluster;
let lb: LoadBalancer;
let nc: FakeNextcloud;
let connected: { settings: Record<string, string>; roles: string[] };

const port = (url: string) => Number(new URL(url).port);
const nodeA = () => cluster.nodes[0];
const nodeB = () => cluster.nodes[1];

beforeAll(async () => {
  nc = await new FakeNextcloud({ admins: ['admin'] }).start();
  cluster = await startKeycloakCluster({
    hostname: `${nc.url}/exapps/${nc.exApp.appId}`,
    restartDelayMs: RESTART_DELAY_MS,
  });
  lb = await startHaproxy(
    cluster.nodes.map((n) => ({
      name: n.name,
      httpPort: port(n.supervisor.baseUrl),
      managementPort: port(n.supervisor.managementUrl),
    })),
  );
  const connect = await runCli(
    ['keycloak', 'connect', '--url', lb.url, '--admin-user', cluster.adminUser.username, '--json'],
    { KEYCLOAK_CONNECT_ADMIN_PASSWORD: cluster.adminUser.password },
  );
  expect(connect.code, connect.stderr).toBe(0);
  connected = JSON.parse(connect.stdout) as typeof connected;
  e2e.externalAdmin = {
    clientId: connected.settings.KEYCLOAK_ADMIN_CLIENT_ID!,
    clientSecret: connected.settings.KEYCLOAK_ADMIN_CLIENT_SECRET!,
  };
  e2e.h = await startExApp({ ...connected.settings, TOKEN_CACHE_ENABLED: 'false' }, { nc });
  addE2eUsers(nc);
}, 300_000);

afterAll(async () => {
  await e2e.h?.dispose();
  await lb?.stop();
  await cluster?.stop();
  await nc?.stop();
}, 180_000);

describe('a two-node Keycloak cluster behind HAProxy', () => {
  it('has formed one cluster view of 2 before anything else runs', async () => {
    await cluster.waitForView(2);
    expect(await Promise.all(cluster.nodes.map((n) => n.viewSize()))).toEqual([2, 2]);
  });

  it('gave the ExApp a client with exactly the realm-management roles of its realm, nothing in master', async () => {
    expect(connected.settings).toMatchObject({
      KEYCLOAK_MODE: 'external',
      KEYCLOAK_URL: lb.url,
      KEYCLOAK_REALM: REALM,
      KEYCLOAK_ADMIN_CLIENT_ID: 'keycloak-exapp',
    });
    expect([...connected.roles].sort()).toEqual([
      'manage-clients',
      'manage-identity-providers',
      'manage-realm',
      'manage-users',
      'query-groups',
      'query-users',
      'view-clients',
      'view-identity-providers',
      'view-realm',
      'view-users',
    ]);
    const doctor = await runCli(['doctor', '--json'], {
      ...connected.settings,
      NEXTCLOUD_URL: nc.url,
      APP_ID: nc.exApp.appId,
      APP_SECRET: nc.exApp.secret,
      APP_PERSISTENT_STORAGE: e2e.h.storage,
    });
    const checks = JSON.parse(doctor.stdout) as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name.startsWith('the setup account'))).toMatchObject({
      ok: true,
      detail: expect.stringContaining('realm-management roles of commonground, nothing more'),
    });
    // The service account cannot touch master.
    const tokenRes = await fetch(`${lb.url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: e2e.externalAdmin!.clientId,
        client_secret: e2e.externalAdmin!.clientSecret,
      }),
    });
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const master = await fetch(`${lb.url}/admin/realms/master/users`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(master.status).toBe(403);
  }, 120_000);
});

describe('external mode, end to end', () => {
  describeInstall();
  describeLeastPrivilege();
  describeTokenApi();
  describeSyncApi();
});

/** A password grant straight to one node (not through the balancer), as the ExApp would make it. */
async function grantOn(node: ClusterNode, userId: string): Promise<{ refresh_token: string }> {
  const stored = JSON.parse(readFileSync(join(e2e.h.storage, 'keycloak-exapp-secrets.json'), 'utf8')) as {
    passwordKey: string;
  };
  const vault = await DerivedPasswordVault.fromKey(new Secret(stored.passwordKey));
  const res = await fetch(`${node.supervisor.baseUrl}/realms/${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'opentalk',
      scope: 'openid',
      username: await usernameForNextcloudId(userId),
      password: (await vault.passwordFor(REALM, userId)).reveal(),
    }),
  });
  expect(res.status, `password grant for ${userId} on ${node.name}`).toBe(200);
  return (await res.json()) as { refresh_token: string };
}

function refreshOn(node: ClusterNode, refreshToken: string): Promise<Response> {
  return fetch(`${node.supervisor.baseUrl}/realms/${REALM}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'opentalk',
      refresh_token: refreshToken,
    }),
  });
}

interface Sample {
  readonly start: number;
  readonly end: number;
  readonly status: number;
}

/** `concurrency` callers asking the ExApp for tokens until `stop` resolves; every answer recorded. */
async function tokenLoad(
  users: readonly string[],
  concurrency: number,
  stop: Promise<void>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let done = false;
  void stop.then(() => (done = true));
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; !done; i += concurrency) {
        const start = performance.now();
        const res = await token(users[i % users.length]!, 'opentalk', OPENTALK_SECRET).catch(() => ({
          status: 0,
        }));
        samples.push({ start, end: performance.now(), status: res.status });
      }
    }),
  );
  return samples;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function syncAllJob(): Promise<{
  status: string;
  report: { failed: unknown[] } | null;
  error: unknown;
}> {
  const job = await call(e2e.h.url, 'POST', '/api/sync-all?async=1', { 'x-api-secret': OPS_SECRET });
  expect(job.status).toBe(202);
  for (;;) {
    const state = await call(e2e.h.url, 'GET', `/api/sync-all/jobs/${job.body.job_id}`, {
      'x-api-secret': OPS_SECRET,
    });
    expect(state.status).toBe(200);
    if (state.body.status !== 'running') return state.body;
    await sleep(200);
  }
}

/** Every managed user of the realm, read from Keycloak (through the balancer). */
async function managedUsers() {
  const users = [];
  for await (const page of e2e.idp.listManagedUsers()) users.push(...page);
  return users;
}

describe('the load balancer', () => {
  it('pins a browser login to the node that holds its authentication session (AUTH_SESSION_ID)', async () => {
    const params = new URLSearchParams({
      client_id: 'opentalk',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://talk.example.test/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${lb.url}/realms/${REALM}/protocol/openid-connect/auth?${params.toString()}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('AUTH_SESSION_ID='));
    expect(cookie).toMatch(/^AUTH_SESSION_ID=node-[ab]~/);
  });
});

describe('faults on the cluster, through the ExApp in external mode', () => {
  const refreshTokens: Record<string, string> = {};

  it('survives SIGKILL of node A under token load: measured success and gap, then 100 % once the health check has acted', async () => {
    // Passwords are set on a user's first token; then a session is opened on node A directly.
    for (const user of ['carol', 'dave']) {
      expect((await token(user, 'opentalk', OPENTALK_SECRET)).status).toBe(200);
      refreshTokens[user] = (await grantOn(nodeA(), user)).refresh_token;
    }
    let killedAt = 0;
    const stop = (async () => {
      await sleep(3_000);
      killedAt = performance.now();
      nodeA().kill();
      await sleep(12_000);
    })();
    const samples = await tokenLoad(['alice', 'carol', 'Zoë', 'admin'], 8, stop);
    const settle = killedAt + 2 * lb.checkIntervalMs + 1_000;
    const ok = samples.filter((x) => x.status === 200);
    const ends = ok.map((x) => x.end).sort((a, b) => a - b);
    let longestGap = 0;
    for (let i = 1; i < ends.length; i++) longestGap = Math.max(longestGap, ends[i]! - ends[i - 1]!);
    const afterSettle = samples.filter((x) => x.start >= settle);
    const result = {
      requests: samples.length,
      successRate: ok.length / samples.length,
      failures: samples.filter((x) => x.status !== 200).map((x) => x.status),
      longestGapMs: Math.round(longestGap),
      requestsAfterHealthCheck: afterSettle.length,
      successRateAfterHealthCheck: afterSettle.filter((x) => x.status === 200).length / afterSettle.length,
      healthCheckIntervalMs: lb.checkIntervalMs,
    };
    console.log(`node kill under token load: ${JSON.stringify(result)}`);
    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(
      join(REPO_ROOT, 'test-artifacts', 'cluster-node-kill.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    expect(samples.filter((x) => x.start > killedAt && x.status === 200).length).toBeGreaterThan(20);
    expect(afterSettle.length).toBeGreaterThan(20);
    expect(result.successRateAfterHealthCheck).toBe(1);
    expect(nodeA().supervisor.status().state).toBe('restarting');
  }, 120_000);

  it('refreshes on node B a token issued by node A, now gone', async () => {
    const res = await refreshOn(nodeB(), refreshTokens.carol!);
    expect(res.status).toBe(200);
  });

  it('refuses on node B the refresh of a user the ExApp disabled (through node B), though node A issued it', async () => {
    nc.users.put({ id: 'dave', enabled: false });
    const sync = await call(
      e2e.h.url,
      'POST',
      '/api/sync-user',
      { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
      JSON.stringify({ user_id: 'dave' }),
    );
    expect(sync.status).toBe(200);
    const res = await refreshOn(nodeB(), refreshTokens.dave!);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('lets node A restart and rejoin (a cluster view of 2 again) without a manual step', async () => {
    await expect
      .poll(() => nodeA().supervisor.status().state, { timeout: 120_000, interval: 500 })
      .toBe('ready');
    await cluster.waitForView(2, 60_000);
    expect(nodeA().supervisor.status().restarts).toBe(1);
  }, 180_000);

  it('finishes a full sync that a node dies under, at once or on the next run: no duplicate, no lost group', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `bulk-${i}`);
    for (const [i, id] of ids.entries())
      nc.addUser({
        id,
        displayName: `Bulk ${i}`,
        email: `${id}@example.test`,
        groups: [`team-${i % 3}`, 'staff'],
      });
    const running = syncAllJob();
    await sleep(700);
    nodeB().kill();
    const first = await running;
    console.log(
      `full sync while node B died: ${first.status} ${JSON.stringify(first.error ?? first.report?.failed.length)}`,
    );
    const outcome = first.status === 'done' && first.report!.failed.length === 0 ? first : await syncAllJob();
    expect(outcome.status).toBe('done');
    expect(outcome.report!.failed).toEqual([]);
    const users = await managedUsers();
    const bulk = users.filter((u) => u.nextcloudId.startsWith('bulk-'));
    expect(bulk).toHaveLength(ids.length);
    expect(new Set(bulk.map((u) => u.nextcloudId)).size).toBe(ids.length);
    for (const user of bulk) {
      const i = Number(user.nextcloudId.slice('bulk-'.length));
      expect([...user.groups].sort(), user.nextcloudId).toEqual(['staff', `team-${i % 3}`]);
    }
    await expect
      .poll(() => nodeB().supervisor.status().state, { timeout: 120_000, interval: 500 })
      .toBe('ready');
    await cluster.waitForView(2, 60_000);
  }, 300_000);

  it('reaches one end state when the server and `keycloak-exapp sync` write at once: no duplicate, no 5xx', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `twin-${i}`);
    for (const [i, id] of ids.entries())
      nc.addUser({ id, displayName: `Twin ${i}`, email: `${id}@example.test`, groups: [`pair-${i % 2}`] });
    const cliEnv = {
      ...connected.settings,
      NEXTCLOUD_URL: nc.url,
      APP_ID: nc.exApp.appId,
      APP_SECRET: nc.exApp.secret,
      APP_PERSISTENT_STORAGE: e2e.h.storage,
    };
    const [server, tool] = await Promise.all([syncAllJob(), runCli(['sync', '--json'], cliEnv)]);
    expect(tool.code, tool.stderr).toBe(0);
    const toolReport = JSON.parse(tool.stdout) as { failed: unknown[]; created: number };
    expect(server.status).toBe('done');
    expect(server.report!.failed).toEqual([]);
    expect(toolReport.failed).toEqual([]);
    const twins = (await managedUsers()).filter((u) => u.nextcloudId.startsWith('twin-'));
    expect(twins).toHaveLength(ids.length);
    expect(new Set(twins.map((u) => u.username)).size).toBe(ids.length);
    // The same end state as one run: a third pass finds nothing to do.
    const again = await runCli(['sync', '--dry-run', '--json'], cliEnv);
    const plan = JSON.parse(again.stdout) as Record<string, number>;
    expect({
      created: plan.created,
      updated: plan.updated,
      disabled: plan.disabled,
      deleted: plan.deleted,
    }).toEqual({
      created: 0,
      updated: 0,
      disabled: 0,
      deleted: 0,
    });
  }, 300_000);
});
