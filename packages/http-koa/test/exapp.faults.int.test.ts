// Faults, concurrency and hostile input against the whole ExApp on real processes: its own
// Keycloak (embedded, dev-file) killed with SIGKILL and brought back by the supervisor, the fake
// Nextcloud failing, hanging and going away, bursts of first token requests, a restart of the
// server on the same volume, and fast-check over /api. Keycloak's admin events are the witness
// for every "nothing was written" and "one password write" below. Each case is bounded in time.
// The token cache is off here, so that every token request reaches Keycloak.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toManagedUserSpec } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import {
  AdminWriteCounter,
  adminEvents,
  enableAdminEvents,
  isPasswordReset,
  userIdOf,
} from '@keycloak-exapp/test-support';
import { jvmOf } from '../../adapter-keycloak/test/process-group.js';
import {
  call,
  exAppKeycloakAdmin,
  leakedSecrets,
  startExApp,
  usedSecrets,
  type ExAppHarness,
  type Reply,
} from './exapp-harness.js';
import { hostileRequests } from './hostile-requests.js';
import { rawRequest } from './raw-http.js';

const REALM = 'commonground';
const LOAD_SECRET = 'load-consumer-secret-0123456789abcdef-faults';
const CLIENTS = ['opentalk', 'openzaak', 'openklant', 'valtimo'] as const;
const C_USERS = Array.from({ length: 50 }, (_, i) => `c${i}`);
usedSecrets.add(LOAD_SECRET);

let nc: FakeNextcloud;
let storage: string;
let h: ExAppHarness;
let kc: KeycloakHttp;
let idp: KeycloakIdentityProvider;
const earlierLogs: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tokenFor = (user: string, clientId: string): Promise<Reply> =>
  call(h.url, 'POST', `/api/token?client_id=${clientId}`, {
    'x-nc-user-id': user,
    'x-api-secret': LOAD_SECRET,
  });
const syncAll = (): Promise<Reply> => call(h.url, 'POST', '/api/sync-all', { 'x-api-secret': LOAD_SECRET });
const usernameOf = async (id: string) =>
  (await toManagedUserSpec({ id, displayName: id, email: null, enabled: true, groups: [] })).username;

async function startServer(): Promise<void> {
  h = await startExApp(
    {
      TOKEN_CACHE_ENABLED: 'false',
      DIRECTORY_TTL_SECONDS: '5',
      NEXTCLOUD_TIMEOUT_SECONDS: '2',
      // Keycloak restarting for longer than this makes /heartbeat unhealthy (the kill test sees it).
      KEYCLOAK_UNHEALTHY_AFTER_SECONDS: '3',
      KEYCLOAK_API_CONSUMERS: JSON.stringify([
        { name: 'load', secret: LOAD_SECRET, clientIds: CLIENTS, operations: ['token', 'sync'] },
      ]),
    },
    { nc, storage },
  );
  kc = exAppKeycloakAdmin(h);
  idp = new KeycloakIdentityProvider(kc, REALM);
}

beforeAll(async () => {
  nc = await new FakeNextcloud({ admins: ['admin'] }).start();
  nc.addUsers([
    { id: 'alice', displayName: 'Alice Adams', email: 'alice@example.test', groups: ['staff'] },
    { id: 'bob', displayName: 'Bob Berg', email: 'bob@example.test', groups: [] },
    { id: 'burst', displayName: 'Burst User', email: null, groups: [] },
    ...C_USERS.map((id) => ({ id, displayName: `Client ${id}`, email: `${id}@example.test`, groups: [] })),
    // More than one page of 500, so a fault can land in the middle of a listing.
    ...Array.from({ length: 600 }, (_, i) => ({
      id: `bulk${i}`,
      displayName: `Bulk ${i}`,
      groups: ['bulk'],
    })),
  ]);
  storage = await mkdtemp(join(tmpdir(), 'keycloak-exapp-faults-'));
  await startServer();
  const { error } = await nc.appApi.install({ timeoutMs: 480_000 });
  expect(error).toBe('');
  await enableAdminEvents(kc, REALM);
}, 600_000);

afterAll(async () => {
  await h?.dispose();
  await nc?.stop();
  await rm(storage, { recursive: true, force: true });
}, 120_000);

// ---- hostile input ----

describe('hostile input to /api/*', () => {
  it('never answers 5xx, always explains a 4xx as {error, code}, and writes nothing to Keycloak for a refusal', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequests(LOAD_SECRET), async (r) => {
        const before = (await adminEvents(kc, REALM)).length;
        const headers: [string, string][] = [];
        if (r.userId !== undefined) headers.push(['x-nc-user-id', r.userId]);
        if (r.secret !== undefined) headers.push(['x-api-secret', r.secret]);
        if (r.appApi !== undefined)
          headers.push(
            ['authorization-app-api', r.appApi],
            ['ex-app-id', nc.exApp.appId],
            ['ex-app-version', nc.exApp.version],
            ['aa-version', '32.0.0'],
          );
        if (r.contentType !== undefined) headers.push(['content-type', r.contentType]);
        if (r.extra) headers.push(r.extra);
        const target = r.query === undefined ? r.path : `${r.path}?${r.query}`;
        const res = await rawRequest(h.url, r.method, target, headers, r.body);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        expect(res.status, `${r.method} ${target.slice(0, 120)}`).toBeLessThan(500);
        if (res.status >= 400 && r.method !== 'HEAD') {
          expect(res.json, res.body.slice(0, 200)).toMatchObject({
            error: expect.any(String),
            code: expect.any(String),
          });
        }
        if (res.status >= 300) expect((await adminEvents(kc, REALM)).length).toBe(before);
      }),
      { numRuns: 250 },
    );
    // The generator reaches past authentication (some 200s) and into validation (400, 403, 404).
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
  }, 300_000);
});

// ---- concurrency ----

describe('bursts of first token requests (real Keycloak)', () => {
  it('gives 200 concurrent first requests for one user 200 tokens of that user and one password write', async () => {
    const writes = new AdminWriteCounter(kc, REALM);
    await writes.mark();
    const replies = await Promise.all(Array.from({ length: 200 }, () => tokenFor('burst', 'opentalk')));
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    for (const r of replies)
      expect(decodeJwt(r.body.access_token as string).preferred_username).toBe(await usernameOf('burst'));
    expect((await writes.since()).filter(isPasswordReset)).toHaveLength(1);
  }, 180_000);

  it('gives 50 users × 4 clients at once one password write per user and zero errors', async () => {
    const writes = new AdminWriteCounter(kc, REALM);
    await writes.mark();
    const asks = C_USERS.flatMap((user) => CLIENTS.map((client) => ({ user, client })));
    const replies = await Promise.all(asks.map((a) => tokenFor(a.user, a.client)));
    for (const [i, r] of replies.entries()) {
      expect(r.status, `${asks[i]!.user} ${asks[i]!.client}: ${r.text}`).toBe(200);
      const claims = decodeJwt(r.body.access_token as string);
      expect(claims.preferred_username).toBe(await usernameOf(asks[i]!.user));
      expect(claims.azp).toBe(asks[i]!.client);
    }
    const resets = (await writes.since()).filter(isPasswordReset);
    expect(resets).toHaveLength(50);
    expect(new Set(resets.map(userIdOf)).size).toBe(50);
  }, 300_000);
});

// ---- Nextcloud faults ----

describe('Nextcloud failing', () => {
  const USERS_PAGE = '/ocs/v2.php/cloud/users/details';

  it('stops a sync at a 500 on the second page with a clear error, disables no one, and completes next time', async () => {
    nc.removeUser('bulk599'); // a real pending change: only a complete listing may act on it
    const writes = new AdminWriteCounter(kc, REALM);
    await writes.mark();
    nc.failNext(500, 3, USERS_PAGE, 1); // page 2 and both retries
    const failed = await syncAll();
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      error: expect.stringMatching(/Nextcloud answered 500/),
    });
    expect(await writes.since()).toEqual([]);
    expect((await idp.findUserByNextcloudId('bulk599'))?.enabled).toBe(true);

    const next = await syncAll();
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ disabled: 1, deleted: 0, failed: [] });
    expect((await idp.findUserByNextcloudId('bulk599'))?.enabled).toBe(false);
    expect((await idp.findUserByNextcloudId('bulk598'))?.enabled).toBe(true);
  }, 120_000);

  it('stops a sync when Nextcloud stops answering mid-listing (NEXTCLOUD_TIMEOUT_SECONDS), writes nothing, and completes next time', async () => {
    nc.removeUser('bulk598');
    const writes = new AdminWriteCounter(kc, REALM);
    await writes.mark();
    nc.hangNext(3, USERS_PAGE, 1);
    const started = Date.now();
    const failed = await syncAll();
    expect(Date.now() - started).toBeLessThan(30_000); // 3 × 2 s plus back-off, not a hang
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      error: expect.stringMatching(/did not answer in time/),
    });
    expect(await writes.since()).toEqual([]);
    expect((await idp.findUserByNextcloudId('bulk598'))?.enabled).toBe(true);

    const next = await syncAll();
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ disabled: 1, failed: [] });
  }, 120_000);

  it('serves a user checked within DIRECTORY_TTL_SECONDS while Nextcloud is down, refuses everyone else, and fails closed after the TTL', async () => {
    expect((await tokenFor('alice', 'opentalk')).status).toBe(200); // checked now
    nc.failNext(503, 1_000_000, '/ocs/');
    try {
      const within = await tokenFor('alice', 'opentalk');
      expect(within.status).toBe(200);
      const unchecked = await tokenFor('bob', 'opentalk');
      expect(unchecked.status).toBe(503);
      expect(unchecked.headers['retry-after']).toBeDefined();
      expect(unchecked.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', error: expect.any(String) });
      await sleep(5_500);
      const after = await tokenFor('alice', 'opentalk');
      expect(after.status).toBe(503);
      expect(after.body.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(after.body.access_token).toBeUndefined();
    } finally {
      nc.clearFaults();
    }
    expect((await tokenFor('alice', 'opentalk')).status).toBe(200);
  }, 120_000);
});

// ---- restart ----

describe('a restart of the server on the same volume', () => {
  it('resets no password: the derived vault gives every user the password Keycloak already holds', async () => {
    earlierLogs.push(h.logs());
    await h.dispose(); // stops the embedded Keycloak too; its database stays on the volume
    await startServer();
    await h.server.lifecycle.resume();
    expect(h.server.readiness.state()).toBe('ready');
    const writes = new AdminWriteCounter(kc, REALM);
    await writes.mark();
    const replies = await Promise.all(
      [...C_USERS.map((u) => ['opentalk', u] as const), ['valtimo', 'burst'] as const].map(([client, user]) =>
        tokenFor(user, client),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect((await writes.since()).filter(isPasswordReset)).toEqual([]);
  }, 300_000);
});

// ---- Keycloak killed ----

interface Outcome {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly user: string;
  readonly client: string;
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: unknown;
}

describe('Keycloak killed with SIGKILL under token load', () => {
  it('answers 503 + Retry-After meanwhile (never a wrong token, never a hang), is restarted, and serves every request again within 60 s of ready', async () => {
    const supervisor = h.server.supervisor!;
    const beats: { readonly status: number; readonly body: Record<string, unknown> }[] = [];
    let watching = true;
    const watchHeartbeat = (async () => {
      while (watching) {
        const beat = await call(h.url, 'GET', '/heartbeat');
        beats.push({ status: beat.status, body: beat.body as Record<string, unknown> });
        await sleep(250);
      }
    })();
    const outcomes: Outcome[] = [];
    const hangs: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = w; !stop; i += 7) {
        const user = C_USERS[i % 12]!;
        const client = CLIENTS[i % CLIENTS.length]!;
        const startedAt = Date.now();
        try {
          const res = await rawRequest(
            h.url,
            'POST',
            `/api/token?client_id=${client}`,
            [
              ['x-nc-user-id', user],
              ['x-api-secret', LOAD_SECRET],
            ],
            undefined,
            20_000,
          );
          outcomes.push({
            startedAt,
            endedAt: Date.now(),
            user,
            client,
            status: res.status,
            retryAfter: res.headers['retry-after'],
            body: res.json,
          });
        } catch (error) {
          hangs.push(String(error));
        }
        if (outcomes.at(-1)?.status !== 200) await sleep(50);
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await sleep(3_000);
    const killedJvm = jvmOf(supervisor.status().pid!)!;
    expect(killedJvm).toBeDefined();
    process.kill(killedJvm, 'SIGKILL');
    const killedAt = Date.now();
    await expect
      .poll(
        () => {
          const { state, pid } = supervisor.status();
          return state === 'ready' && typeof pid === 'number' && ![undefined, killedJvm].includes(jvmOf(pid));
        },
        { timeout: 240_000, interval: 100 },
      )
      .toBe(true);
    const readyAt = Date.now();
    // Keep the load on until five seconds have passed without a failure (or 75 s after ready).
    for (;;) {
      await sleep(500);
      const lastFailure = Math.max(0, ...outcomes.filter((o) => o.status !== 200).map((o) => o.endedAt));
      if (Date.now() - Math.max(lastFailure, readyAt) > 5_000 || Date.now() - readyAt > 75_000) break;
    }
    stop = true;
    await Promise.all(workers);
    watching = false;
    await watchHeartbeat;

    // The heartbeat (AppAPI's and the image's health check) said healthy before the kill, unhealthy
    // with the reason once the restart outlasted KEYCLOAK_UNHEALTHY_AFTER_SECONDS, healthy again after.
    expect(beats[0]).toMatchObject({ status: 200, body: { status: 'ok', keycloak: 'ready' } });
    const unhealthy = beats.filter((b) => b.status !== 200);
    expect(unhealthy.length).toBeGreaterThan(0);
    for (const b of unhealthy)
      expect(b).toMatchObject({
        status: 503,
        body: {
          status: 'error',
          reason: expect.stringMatching(/^Keycloak has been (starting|restarting) for \d+ s/),
        },
      });
    expect(beats.at(-1)).toMatchObject({ status: 200, body: { status: 'ok', keycloak: 'ready' } });
    expect(hangs).toEqual([]);
    const failures = outcomes.filter((o) => o.status !== 200);
    expect(failures.length).toBeGreaterThan(0); // the outage was seen
    for (const f of failures) {
      expect(f.status, JSON.stringify(f.body)).toBe(503);
      expect(f.retryAfter).toBeDefined();
      expect(f.body).toMatchObject({ error: expect.any(String), code: expect.any(String) });
    }
    for (const o of outcomes.filter((x) => x.status === 200)) {
      const claims = decodeJwt((o.body as { access_token: string }).access_token);
      expect(claims.preferred_username).toBe(await usernameOf(o.user));
      expect(claims.azp).toBe(o.client);
    }
    const recoveredAt = Math.max(...failures.map((f) => f.endedAt));
    console.info(
      `SIGKILL: ready again ${((readyAt - killedAt) / 1000).toFixed(1)} s after the kill; ` +
        `${failures.length} of ${outcomes.length} requests answered 503; ` +
        `all succeed from ${((recoveredAt - readyAt) / 1000).toFixed(1)} s after ready`,
    );
    expect(recoveredAt - readyAt).toBeLessThan(60_000);
    const afterRecovery = outcomes.filter((o) => o.startedAt > recoveredAt);
    expect(afterRecovery.length).toBeGreaterThan(10);
    expect(afterRecovery.every((o) => o.status === 200)).toBe(true);
    expect(failures.every((f) => f.endedAt >= killedAt - 1_000)).toBe(true);
  }, 400_000);
});

// ---- logs ----

describe('logs of this whole file', () => {
  it('contain no secret, password or token that was used or issued', async () => {
    const logs = [...earlierLogs, h.logs()].join('\n');
    expect(logs).toContain('"audit":"token"');
    expect(usedSecrets.size).toBeGreaterThan(300); // every distinct token issued above is in the scan
    expect(await leakedSecrets(logs, storage, REALM, ['alice', 'bob', 'burst', ...C_USERS])).toEqual([]);
  });
});
