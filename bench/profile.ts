// The cached token path under a profiler (issue 29): `npm run bench -- --profile [--label before]`.
// One server (the image's Node flags plus --trace-gc) on a real Keycloak with 1 000 synced users,
// and the Koa floor (same flags) answering the same bytes, both loaded alike (32 connections,
// --seconds). First a load without a profiler: req/s and p99 against the floor, bytes allocated per
// request and garbage collections per 10 s, for both. Then one load under V8's CPU profiler and
// one under its allocation sampler (bench/lib/profiler-preload.mjs, switched by SIGUSR2): where
// the time and the bytes went. Prints tables; writes bench/results/profile-<label>.json.
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { prepareKeycloakServer } from '@keycloak-exapp/test-support';
import { directoryUsers } from './lib/bench-fixtures.js';
import { startAppFloorServer, startFloorServer, type FloorServer } from './lib/floor.js';
import { cpuSeconds, gcBetween, type GcTrace } from './lib/gc-trace.js';
import { load, type LoadRequest, type LoadResult } from './lib/load.js';
import { BENCH_SECRET, IMAGE_NODE_FLAGS, REPO_ROOT, startServerProcess } from './lib/server-process.js';
import { apiTokenVariant, warmUp } from './lib/token-variants.js';
import { summariseCpuProfile, summariseHeapProfile, type ProfileSummary } from './lib/v8-profiles.js';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'boolean' },
    seconds: { type: 'string', default: '8' },
    users: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    label: { type: 'string', default: new Date().toISOString().slice(0, 10) },
  },
});
const seconds = Number(args.seconds);
const users = Number(args.users);
const connections = Number(args.concurrency);
const log = (line: string) =>
  process.stderr.write(`[profile ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** A load without a profiler, with what the server allocated and collected meanwhile. */
export interface MeasuredLoad {
  readonly load: LoadResult;
  readonly bytesPerRequest: number;
  readonly gcPer10s: { readonly minor: number; readonly major: number };
  /** The server's CPU time per answered request (user + system). */
  readonly cpuMicrosPerRequest: number;
  /** The server's CPU use during the load, 1 = one core. */
  readonly cpuCores: number;
}

export interface ProfileResults {
  readonly date: string;
  readonly label: string;
  readonly users: number;
  readonly connections: number;
  readonly seconds: number;
  readonly nodeFlags: readonly string[];
  readonly koaFloor: MeasuredLoad;
  /** Our app in front of a stub (the HTTP layer's cost), and in front of the real core over fakes. */
  readonly appStubbed: MeasuredLoad;
  readonly appWithCore: MeasuredLoad;
  readonly cached: MeasuredLoad;
  readonly vsKoaFloor: { readonly throughput: number; readonly p99: number };
  readonly cpu: ProfileSummary;
  readonly allocation: ProfileSummary;
}

async function measured(
  url: string,
  requests: readonly LoadRequest[],
  server: { readonly gc: GcTrace; readonly pid: number },
): Promise<MeasuredLoad> {
  const before = server.gc.counts();
  const cpuBefore = cpuSeconds(server.pid);
  const started = performance.now();
  const result = await load(url, requests, connections, seconds);
  const window = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const spent = gcBetween(before, server.gc.counts());
  return {
    load: result,
    cpuMicrosPerRequest: (cpu / result.requests) * 1e6,
    cpuCores: cpu / window,
    bytesPerRequest: spent.allocatedBytes / result.requests,
    gcPer10s: { minor: (spent.minor / window) * 10, major: (spent.major / window) * 10 },
  };
}

process.env.KEYCLOAK_TEST_JAVA_OPTS ??= '';
const keycloak = await prepareKeycloakServer('dev-file');
await keycloak.supervisor.start();
const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
nc.addUsers(directoryUsers(users));
const profileOut = join(mkdtempSync(join(tmpdir(), 'keycloak-exapp-profile-')), 'server');
const preload = join(REPO_ROOT, 'bench/lib/profiler-preload.mjs');
const flags = [...IMAGE_NODE_FLAGS, '--trace-gc'];
log(`starting the server (${flags.join(' ')}) and syncing ${users} users`);
const srv = await startServerProcess(
  nc,
  keycloak.info,
  { KEYCLOAK_REALM: 'profile', BENCH_PROFILE_OUT: profileOut },
  [...flags, '--import', preload],
);
/** Moves the server's profiler one step (profiler-preload.mjs) and waits until it has. */
async function profilerStep(n: number): Promise<void> {
  process.kill(srv.pid, 'SIGUSR2');
  while (!existsSync(`${profileOut}.${n}`)) await new Promise((r) => setTimeout(r, 50));
}
let results: ProfileResults;
try {
  const variant = apiTokenVariant('/api/token, cache on, 1000 users', srv.url, 0, users);
  const first = variant.requests[0]!;
  const answer = await (
    await fetch(`${srv.url}${first.path}`, { method: 'POST', headers: first.headers })
  ).text();
  /** One of the floor servers, loaded alike and stopped. */
  const floorRow = async (start: () => Promise<FloorServer>): Promise<MeasuredLoad> => {
    const floor = await start();
    try {
      log(`${floor.name}: ${connections} connections, ${seconds} s`);
      await load(floor.url, variant.requests, connections, 2); // a warm JIT, as the server's is
      return await measured(floor.url, variant.requests, floor);
    } finally {
      floor.stop();
    }
  };
  const koaFloor = await floorRow(() => startFloorServer('koa', answer, ['--trace-gc']));
  const appStubbed = await floorRow(() => startAppFloorServer('http', users, BENCH_SECRET, ['--trace-gc']));
  const appWithCore = await floorRow(() => startAppFloorServer('core', users, BENCH_SECRET, ['--trace-gc']));
  log('warming the cache up (one request per user)');
  await warmUp(variant);
  log(`cached /api/token over ${users} users: ${connections} connections, ${seconds} s, no profiler`);
  const cached = await measured(srv.url, variant.requests, srv);
  log('the same load under the CPU profiler');
  await warmUp(variant);
  await profilerStep(0);
  await load(srv.url, variant.requests, connections, seconds);
  await profilerStep(1);
  log('the same load under the allocation sampler');
  await profilerStep(2);
  await load(srv.url, variant.requests, connections, Math.min(seconds, 4));
  await profilerStep(3);
  results = {
    date: new Date().toISOString(),
    label: args.label,
    users,
    connections,
    seconds,
    nodeFlags: flags,
    koaFloor,
    appStubbed,
    appWithCore,
    cached,
    vsKoaFloor: {
      throughput: cached.load.requestsPerSecond / koaFloor.load.requestsPerSecond,
      p99: cached.load.p99Ms / koaFloor.load.p99Ms,
    },
    cpu: summariseCpuProfile(`${profileOut}.cpuprofile`),
    allocation: summariseHeapProfile(`${profileOut}.heapprofile`),
  };
} finally {
  await srv.stop().catch(() => undefined);
  await nc.stop();
  await keycloak.stop();
}

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;
const row = (name: string, m: MeasuredLoad) =>
  `| ${name} | ${m.load.requestsPerSecond.toFixed(0)} | ${m.load.p99Ms} ms | ` +
  `${(m.bytesPerRequest / 1024).toFixed(1)} kB | ${m.gcPer10s.minor.toFixed(0)} | ${m.gcPer10s.major.toFixed(1)} | ` +
  `${m.cpuMicrosPerRequest.toFixed(0)} µs | ${(m.cpuCores * 100).toFixed(0)} % |`;
const table = (title: string, summary: ProfileSummary) => [
  `| ${title} | share |`,
  `| --- | --: |`,
  ...summary.topFunctions.map((f) => `| \`${f.name}\` | ${pct(f.share)} |`),
  '',
  `| place | share |`,
  `| --- | --: |`,
  ...summary.places.map((p) => `| \`${p.name}\` | ${pct(p.share)} |`),
  '',
];
const lines = [
  `| ${connections} connections, ${seconds} s | req/s | p99 | allocated per request | minor GC per 10 s | major GC per 10 s | CPU per request | CPU use |`,
  `| --- | --: | --: | --: | --: | --: | --: | --: |`,
  row('floor: Koa + @koa/router', results.koaFloor),
  row('our app, core stubbed', results.appStubbed),
  row('our app and core, in-memory fakes', results.appWithCore),
  row(`cached /api/token, ${users} users`, results.cached),
  '',
  `vs the Koa floor: ${pct(results.vsKoaFloor.throughput)} of its req/s, p99 ${results.vsKoaFloor.p99.toFixed(1)}x`,
  '',
  ...table(`CPU self time (${results.cpu.total} busy samples)`, results.cpu),
  ...table(
    `allocated (${(results.allocation.total / 1024 / 1024).toFixed(0)} MB sampled)`,
    results.allocation,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
const out = join(REPO_ROOT, 'bench/results', `profile-${results.label}.json`);
await mkdir(join(REPO_ROOT, 'bench/results'), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}`);
