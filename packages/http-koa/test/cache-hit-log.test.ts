import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteUser, DerivedPasswordVault, IssueToken, Secret, SyncUser } from '@keycloak-exapp/core';
import {
  CapturingLogger,
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  ManualClock,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';
import {
  CacheHitLog,
  ServerMetrics,
  createApp,
  createHttpServer,
  exAppApiRouter,
} from '@keycloak-exapp/http-koa';

const REQUESTS = 1_000;

/** The token API over the core's fakes, logging into `logger`, with or without the aggregation. */
async function serve(logger: CapturingLogger, cacheHitLog: CacheHitLog | undefined, metrics?: ServerMetrics) {
  const identityProvider = new InMemoryIdentityProvider('r');
  await identityProvider.reconcileRealm(contractRealmSpec('r', ['opentalk']));
  const userDirectory = new InMemoryUserDirectory([
    { id: 'alice', displayName: 'Alice', email: null, enabled: true, groups: [] },
  ]);
  const router = exAppApiRouter({
    issueToken: new IssueToken({
      identityProvider,
      userDirectory,
      passwordVault: await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32))),
      clock: new ManualClock(),
      config: { allowedClientIds: ['opentalk'], directoryTtlMs: 3_600_000 },
    }),
    syncUser: new SyncUser({ identityProvider, userDirectory }),
    deleteUser: new DeleteUser({ identityProvider }),
    authenticate: () => ({
      kind: 'consumer',
      consumer: {
        name: 'opentalk',
        clientIds: new Set(['opentalk']),
        operations: new Set(['token'] as const),
      },
    }),
    ...(cacheHitLog ? { cacheHitLog } : {}),
    ...(metrics ? { metrics } : {}),
  });
  const server: Server = createHttpServer(createApp({ logger, routers: [router] }));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/token?client_id=opentalk`;
  for (let i = 0; i < REQUESTS; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'x-nc-user-id': 'alice' } });
    expect(res.status).toBe(200);
  }
  await new Promise<void>((ok) => server.close(() => ok()));
}

const infoBytes = (logger: CapturingLogger) =>
  logger.entries.filter((e) => e.level === 'info').reduce((n, e) => n + JSON.stringify(e.obj).length + 1, 0);

describe('cache hits are logged in aggregate, grants and refusals one by one', () => {
  const aggregated = new CapturingLogger();
  const perRequest = new CapturingLogger();
  let log: CacheHitLog;

  beforeAll(async () => {
    log = new CacheHitLog(aggregated, 60_000);
    await serve(aggregated, log);
    await log.flush();
    await serve(perRequest, undefined);
  }, 60_000);
  afterAll(() => log.close());

  it(`writes one info line for ${REQUESTS - 1} cached answers to one caller, user and client`, () => {
    const info = aggregated.entries.filter((e) => e.level === 'info');
    expect(info.map((e) => [e.obj.source, e.obj.count])).toEqual([
      ['password', undefined], // the grant that reached Keycloak
      ['cache', REQUESTS - 1],
    ]);
    expect(info[1]!.obj).toMatchObject({
      audit: 'token',
      caller: 'consumer:opentalk',
      userId: 'alice',
      clientId: 'opentalk',
    });
  });

  it('keeps the info log of 1 000 cached requests under 1 kB (one line each: over 100 kB)', () => {
    const bytes = infoBytes(aggregated);
    expect(bytes).toBeLessThan(1_000);
    // Without the aggregation each hit is a line of its own (at debug level).
    const debugLines = perRequest.entries.filter((e) => e.level === 'debug' && e.obj.source === 'cache');
    expect(debugLines).toHaveLength(REQUESTS - 1);
    expect(debugLines.reduce((n, e) => n + JSON.stringify(e.obj).length + 1, 0)).toBeGreaterThan(100 * bytes);
  });
});

describe('the metrics of the token path', () => {
  it('count cache hits by source, and the requests that waited for Nextcloud (only the first)', async () => {
    const metrics = new ServerMetrics(() => ({ state: 'external', restarts: 0 }));
    const log = new CacheHitLog(new CapturingLogger(), 60_000);
    await serve(new CapturingLogger(), log, metrics);
    log.close();
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      `keycloak_exapp_token_requests_total{outcome="issued",source="cache"} ${REQUESTS - 1}`,
    );
    expect(text).toContain('keycloak_exapp_token_requests_total{outcome="issued",source="password"} 1');
    expect(text).toMatch(/^keycloak_exapp_token_directory_waits_total 1$/m);
  });
});

describe('closing an aggregation window over many users', () => {
  it('writes its lines a slice at a time, leaving the event loop free in between', async () => {
    const logger = new CapturingLogger();
    const log = new CacheHitLog(logger, 60_000);
    for (let i = 0; i < 1_000; i++) log.record('consumer:opentalk', `user${i}`, 'opentalk');
    const linesAtFirstTurn: number[] = [];
    setImmediate(() => {
      linesAtFirstTurn.push(logger.entries.length);
      log.record('consumer:opentalk', 'late', 'opentalk'); // made while the window is being written
    });
    await log.flush();
    expect(linesAtFirstTurn[0]).toBe(CacheHitLog.LINES_PER_TURN);
    expect(logger.entries).toHaveLength(1_000);
    expect(new Set(logger.entries.map((e) => e.obj.userId)).size).toBe(1_000);
    log.close(); // the late request belongs to the next window
    expect(logger.entries.at(-1)?.obj).toMatchObject({ userId: 'late', count: 1 });
  });
});
