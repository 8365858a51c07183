// The side-by-side benchmark (issue 9): the token API against Keycloak's own password grant, our
// sync against the original ExApp's algorithm, and the footprint, all in one run on one real
// Keycloak. Prints tables and writes bench/results/<date>.json. Run: npm run bench
//   --users 1000,10000   directory sizes for the sync part
//   --seconds 10         fixed time of each token load
//   --concurrency 1,8,32 connections of each token load
//   --full-baseline-up-to N  sizes above N run the baseline's first sync only (its re-syncs do the
//                        same per-user work again, at 6-9 users/s); default: every size, every phase
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Secret, type DirectoryUser } from '@keycloak-exapp/core';
import {
  KeycloakIdentityProvider,
  findJavaHome,
  installKeycloak,
  loadRealmFile,
} from '@keycloak-exapp/adapter-keycloak';
import { NextcloudHttp, NextcloudUserDirectory } from '@keycloak-exapp/adapter-nextcloud';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import {
  prepareKeycloakServer,
  AdminWriteCounter,
  userSessionCount,
  enableAdminEvents,
} from '@keycloak-exapp/test-support';
import { BaselineSync } from './lib/baseline-sync.js';
import { benchAdminHttp, directoryUsers } from './lib/bench-fixtures.js';
import { startFloorServer, type FloorServer } from './lib/floor.js';
import { load } from './lib/load.js';
import { apiTokenVariant, rawGrantVariant, warmUp } from './lib/token-variants.js';
import { PHASES, formatResults, type BenchResults, type SyncRow, type TokenRow } from './lib/results.js';
import {
  IMAGE_NODE_FLAGS,
  directoryWaits,
  keycloakRequestCounts,
  startServerProcess,
  syncAll,
  type ServerProcess,
} from './lib/server-process.js';
import { timeStartDev } from './lib/start-dev.js';

// `--cluster` runs the cluster benchmark instead (bench/cluster.ts): one node against two;
// `--compare <checkout>` this tree's server against another revision's (bench/compare.ts).
if (process.argv.includes('--cluster')) {
  await import('./cluster.js');
  process.exit(0);
}
// `--sign-in`: Sign in with Nextcloud in Chromium against Keycloak's password form (bench/sign-in.ts).
if (process.argv.includes('--sign-in')) {
  await import('./sign-in.js');
  process.exit(0);
}
// `--profile`: the cached token path under a CPU profiler, with allocation and GC (bench/profile.ts).
if (process.argv.includes('--profile')) {
  await import('./profile.js');
  process.exit(0);
}
if (process.argv.includes('--compare')) {
  await import('./compare.js');
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000,10000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1,8,32' },
    'full-baseline-up-to': { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
    // Take the baseline's rows from an earlier results file (the baseline's code does not change)
    // instead of running it again; sizes it lacks are extrapolated linearly from its largest.
    'baseline-from': { type: 'string' },
    cluster: { type: 'boolean' },
  },
});
const earlier = args['baseline-from']
  ? (JSON.parse(readFileSync(args['baseline-from'], 'utf8')) as BenchResults)
  : undefined;
const sizes = args.users.split(',').map(Number);
const seconds = Number(args.seconds);
const concurrencies = args.concurrency.split(',').map(Number);
const fullBaselineUpTo = Number(args['full-baseline-up-to']);
/**
 * The sync phases (PHASES): the first re-sync after an import finds Keycloak's user cache empty (a
 * partial import does not fill it); the last phase runs the same unchanged sync once the cache is
 * warm, as every later reconcile would. The baseline does the same work in every phase, so it runs
 * the first three only.
 */
const BASELINE_PHASES = 3;
const TOKEN_USERS = 32;
/** The cached variant over many users: a p99 that does not depend on a few hot cache entries. */
const MANY_TOKEN_USERS = 1000;
let logBytesPer1000CachedTokens: number | undefined;
// Production JVM flags (the tests trade peak speed for start time with -XX:TieredStopAtLevel=1).
process.env.KEYCLOAK_TEST_JAVA_OPTS ??= '';

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** The baseline's row for `users` and `phase` from an earlier run, or a linear extrapolation from its largest size. */
function earlierBaseline(from: BenchResults, users: number, phase: SyncRow['phase']): SyncRow['baseline'] {
  const rows = from.sync.filter((r) => r.phase === phase && r.baseline);
  const exact = rows.find((r) => r.users === users);
  const source = from.date.slice(0, 10);
  if (exact?.baseline) return { ...exact.baseline, source: `run of ${source}` };
  const largest = rows.sort((a, b) => b.users - a.users)[0];
  if (!largest?.baseline || largest.users > users) return null;
  const f = users / largest.users;
  return {
    seconds: largest.baseline.seconds * f,
    keycloakWrites: Math.round(largest.baseline.keycloakWrites * f),
    keycloakCalls: Math.round(largest.baseline.keycloakCalls * f),
    source: `extrapolated ×${f} from ${largest.users} users, run of ${source}`,
  };
}

const server = await prepareKeycloakServer('dev-file');
const kcStarted = performance.now();
await server.supervisor.start();
const optimizedStartSeconds = (performance.now() - kcStarted) / 1000;
log(`Keycloak ${server.info.version} ready in ${optimizedStartSeconds.toFixed(1)} s (optimized build)`);
const kc = benchAdminHttp(server.info);

const syncRows: SyncRow[] = [];
const tokenRows: TokenRow[] = [];
const peakRss: { users: number; bytes: number }[] = [];
const running: { nc: FakeNextcloud; srv: ServerProcess }[] = [];
const floorServers: FloorServer[] = [];
let tokenServer: { nc: FakeNextcloud; srv: ServerProcess; realm: string } | undefined;

try {
  for (const n of sizes) {
    const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
    const realm = `bench${n}`;
    log(`${n} users: starting the server (realm ${realm})`);
    const srv = await startServerProcess(nc, server.info, { KEYCLOAK_REALM: realm });
    running.push({ nc, srv });
    await enableAdminEvents(kc, realm);
    const ours = new AdminWriteCounter(kc, realm);

    const baseRealm = `baseline${n}`;
    await new KeycloakIdentityProvider(kc, baseRealm).reconcileRealm(
      await loadRealmFile(undefined, { realm: baseRealm }),
    );
    await enableAdminEvents(kc, baseRealm);
    const theirs = new AdminWriteCounter(kc, baseRealm);
    const baseline = new BaselineSync(server.info.baseUrl, baseRealm, {
      clientId: server.info.adminClientId,
      clientSecret: server.info.adminClientSecret,
    });
    const directory = new NextcloudUserDirectory(
      new NextcloudHttp({
        url: `${nc.url}/index.php`,
        appId: nc.exApp.appId,
        appVersion: nc.exApp.version,
        secret: new Secret(nc.exApp.secret),
      }),
      { actingUser: 'admin' },
    );
    const runBaseline = async () => {
      await theirs.mark();
      const started = performance.now();
      const listed: DirectoryUser[] = [];
      for await (const page of directory.listUsers()) listed.push(...page);
      const result = await baseline.syncAll(listed.filter((u) => u.id !== 'admin'));
      return {
        seconds: (performance.now() - started) / 1000,
        keycloakWrites: (await theirs.since()).length,
        keycloakCalls: result.calls,
      };
    };
    const runOurs = async (verify: boolean) => {
      await ours.mark();
      const before = await keycloakRequestCounts(server.info.managementUrl);
      srv.resetPeakRss();
      const { seconds: s, report } = await syncAll(srv, { verify });
      const peakRssBytes = srv.peakRss();
      const after = await keycloakRequestCounts(server.info.managementUrl);
      return {
        seconds: s,
        peakRssBytes,
        keycloakWrites: (await ours.since()).length,
        keycloakRequests: after.total - before.total,
        keycloakUserReads: after.userReads - before.userReads,
        pass: report.pass,
        report,
      };
    };

    // Ours, then the baseline, each through the same directory states (run apart, so that neither
    // pays for the other's entries in Keycloak's user cache).
    const ourRuns: Awaited<ReturnType<typeof runOurs>>[] = [];
    const phases = PHASES;
    nc.addUsers(directoryUsers(n));
    for (const phase of phases) {
      if (phase === '1 % changed') nc.addUsers(directoryUsers(n, 1).filter((_, i) => i % 100 === 0));
      log(`${n} users, ${phase}: ours`);
      ourRuns.push(await runOurs(phase === 'verification pass'));
      log(`  ${ourRuns.at(-1)!.seconds.toFixed(2)} s, ${ourRuns.at(-1)!.keycloakWrites} Keycloak writes`);
    }
    peakRss.push({ users: n, bytes: Math.max(...ourRuns.map((r) => r.peakRssBytes)) });
    nc.addUsers(directoryUsers(n));
    for (const [i, phase] of phases.entries()) {
      if (phase === '1 % changed') nc.addUsers(directoryUsers(n, 1).filter((_, k) => k % 100 === 0));
      if (i >= BASELINE_PHASES || (i > 0 && n > fullBaselineUpTo)) break;
      if (earlier) {
        const b = earlierBaseline(earlier, n, phase);
        if (b)
          syncRows.push({
            users: n,
            phase,
            ours: ourRuns[i]!,
            baseline: b,
            speedup: b.seconds / ourRuns[i]!.seconds,
          });
        continue;
      }
      log(`${n} users, ${phase}: baseline`);
      const b = await runBaseline();
      log(`  ${b.seconds.toFixed(2)} s, ${b.keycloakWrites} Keycloak writes`);
      syncRows.push({
        users: n,
        phase,
        ours: ourRuns[i]!,
        baseline: b,
        speedup: b.seconds / ourRuns[i]!.seconds,
      });
    }
    for (const [i, phase] of phases.entries())
      if (!syncRows.some((r) => r.users === n && r.phase === phase))
        syncRows.push({ users: n, phase, ours: ourRuns[i]!, baseline: null, speedup: null });
    if (!tokenServer) tokenServer = { nc, srv, realm };
  }

  // ---- Token: raw password grant vs /api/token (cache off, cache on), same realm and client ----
  if (tokenServer) {
    const { nc, srv, realm } = tokenServer;
    // Plain Keycloak users (not managed by the ExApp, so no sync touches them) with a known password.
    const rawPassword = `Raw-bench-${Math.random().toString(36).slice(2)}-Aa1`;
    const rawUsers: string[] = [];
    for (let i = 0; i < TOKEN_USERS; i++) {
      const username = `raw-bench-${i}`;
      await kc.admin('POST', `admin/realms/${realm}/users`, {
        json: {
          username,
          enabled: true,
          firstName: 'Raw',
          lastName: `Bench ${i}`,
          email: `${username}@example.test`,
          emailVerified: true,
          credentials: [{ type: 'password', value: rawPassword, temporary: false }],
        },
        what: 'create raw bench user',
      });
      rawUsers.push(username);
    }
    log('starting a second server with TOKEN_CACHE_ENABLED=false on the same realm');
    const uncached = await startServerProcess(nc, server.info, {
      KEYCLOAK_REALM: realm,
      TOKEN_CACHE_ENABLED: 'false',
    });
    running.push({ nc, srv: uncached });
    nc.exApp.target = { url: srv.url };

    const kcUrl = server.info.baseUrl;
    const variants = [
      rawGrantVariant(kcUrl, realm, rawUsers, rawPassword),
      apiTokenVariant('/api/token, cache off', uncached.url, TOKEN_USERS, TOKEN_USERS),
      apiTokenVariant('/api/token, cache on', srv.url, 0, TOKEN_USERS),
      apiTokenVariant('/api/token, cache on, 1000 users', srv.url, 0, MANY_TOKEN_USERS),
    ];
    // The floor (issue 29): bare Node and bare Koa answering the bytes of one real token answer,
    // loaded the same way; the cached rows show their share of the Koa floor.
    const answer = await (
      await fetch(`${srv.url}${variants[2]!.requests[0]!.path}`, {
        method: 'POST',
        headers: variants[2]!.requests[0]!.headers,
      })
    ).text();
    const floors = floorServers;
    floors.push(await startFloorServer('node', answer), await startFloorServer('koa', answer));
    // Each load starts right after a warm-up of its own users (`warmUp`); what still waited for
    // Nextcloud during the load is counted by the server and shown beside it.
    for (const c of concurrencies) {
      for (const floor of floors) {
        log(`token: ${floor.name}, ${c} connections, ${seconds} s`);
        const result = await load(floor.url, variants[2]!.requests, c, seconds);
        tokenRows.push({
          variant: floor.name,
          concurrency: c,
          result,
          sessionsLeft: 0,
          vsRaw: null,
          waitedForNextcloud: null,
        });
      }
      const koaFloor = tokenRows.find(
        (r) => r.concurrency === c && r.variant === 'floor: Koa + @koa/router',
      )!;
      for (const v of variants) {
        log(`token: ${v.name}: warming up (one request per user)`);
        await warmUp(v);
        const before = await userSessionCount(kc, realm, v.usernames);
        const waitsBefore = v.url === kcUrl ? null : await directoryWaits(v.url);
        log(`token: ${v.name}, ${c} connections, ${seconds} s`);
        const result = await load(v.url, v.requests, c, seconds);
        const waited = waitsBefore === null ? null : (await directoryWaits(v.url)) - waitsBefore;
        const sessionsLeft = (await userSessionCount(kc, realm, v.usernames)) - before;
        const raw = tokenRows.find((r) => r.concurrency === c && r.variant === 'raw Keycloak password grant');
        tokenRows.push({
          variant: v.name,
          concurrency: c,
          result,
          sessionsLeft,
          vsRaw: raw
            ? {
                throughput: result.requestsPerSecond / raw.result.requestsPerSecond,
                p99: result.p99Ms / raw.result.p99Ms,
              }
            : null,
          waitedForNextcloud: waited,
          vsKoaFloor: v.name.includes('cache on')
            ? {
                throughput: result.requestsPerSecond / koaFloor.result.requestsPerSecond,
                p99: result.p99Ms / koaFloor.result.p99Ms,
              }
            : null,
        });
      }
    }
    // Cache hits are logged in aggregate once a minute: count what a cached load writes until the
    // window after it has closed.
    log('token: log bytes of cached answers (a 5 s load, then the next aggregation window)');
    const logBefore = srv.logBytes();
    const cachedLoad = await load(srv.url, variants[2]!.requests, 8, 5);
    await new Promise((r) => setTimeout(r, 61_000));
    logBytesPer1000CachedTokens = ((srv.logBytes() - logBefore) / cachedLoad.requests) * 1000;
    log(`  ${logBytesPer1000CachedTokens.toFixed(0)} bytes per 1 000 cached answers`);
  }
} finally {
  for (const floor of floorServers) floor.stop();
  for (const { srv } of running.reverse()) await srv.stop().catch(() => undefined);
  for (const { nc } of running) await nc.stop().catch(() => undefined);
  await server.stop();
}

log('timing start-dev (a private copy of the distribution, fresh database)');
const javaHome = findJavaHome(server.info.version, { explicit: process.env.KEYCLOAK_JAVA_HOME });
const installed = await installKeycloak({
  version: server.info.version,
  build: { db: 'dev-file' },
  javaHome,
  cacheDir: join(import.meta.dirname, '..', '.keycloak'),
});
const startDevSeconds = await timeStartDev(installed);

// ---- Report ----
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const results: BenchResults = {
  date: new Date().toISOString(),
  machine,
  keycloak: { version: server.info.version, database: 'dev-file', java: javaHome },
  settings: {
    sizes,
    seconds,
    concurrencies,
    tokenUsers: TOKEN_USERS,
    fullBaselineUpTo,
    serverNodeFlags: [...IMAGE_NODE_FLAGS],
  },
  token: tokenRows,
  sync: syncRows,
  ...(logBytesPer1000CachedTokens !== undefined ? { logBytesPer1000CachedTokens } : {}),
  footprint: {
    serverPeakRssBytes: peakRss,
    keycloakStartToReadySeconds: { optimized: optimizedStartSeconds, startDev: startDevSeconds },
  },
};
console.log(`\n${formatResults(results)}`);
const date = new Date().toISOString().slice(0, 10);
const out = join(import.meta.dirname, 'results', `${date}.json`);
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten ${out}`);
