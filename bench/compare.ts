// `npm run bench -- --compare <checkout>`: this tree's server against another revision's, in one
// run on one Keycloak with the same options. A checkout is a built clone of the repository (make
// one with `scripts/bench-compare.sh <rev>`, which then runs this). Each round starts a fresh server
// of each version on its own realm and fake Nextcloud, runs the sync phases of run.ts and the cached
// token loads; rounds alternate which version goes first (ABBA…), so that Keycloak's growing state
// and a warmer JVM do not favour one. Prints median and range per version and their ratio, and
// writes bench/results/<date>-compare-<before>-<after>.json.
//   --compare <dir>   the other checkout ("before")     --rounds 3    --users 1000
//   --seconds 8       each token load                   --concurrency 32
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { prepareKeycloakServer, AdminWriteCounter, enableAdminEvents } from '@keycloak-exapp/test-support';
import { benchAdminHttp, directoryUsers } from './lib/bench-fixtures.js';
import { load } from './lib/load.js';
import { PHASES } from './lib/results.js';
import { apiTokenVariant, warmUp } from './lib/token-variants.js';
import {
  IMAGE_NODE_FLAGS,
  REPO_ROOT,
  keycloakRequestCounts,
  startServerProcess,
  syncAll,
} from './lib/server-process.js';

const { values: args } = parseArgs({
  options: {
    compare: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
  },
  strict: false,
});
const beforeRoot = resolve(String(args.compare ?? ''));
if (!args.compare || !existsSync(join(beforeRoot, 'packages/cli/dist/main.js')))
  throw new Error(
    '--compare <dir>: a built checkout of the other revision (scripts/bench-compare.sh makes one)',
  );
const rounds = Number(args.rounds);
const users = Number(args.users);
const seconds = Number(args.seconds);
const connections = Number(args.concurrency);
const MANY_TOKEN_USERS = Math.min(1000, users);
process.env.KEYCLOAK_TEST_JAVA_OPTS ??= '';

const log = (line: string) =>
  process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const revision = (root: string) =>
  execFileSync('git', ['-C', root, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim().slice(0, 72);

type Version = 'before' | 'after';
const roots: Record<Version, string> = { before: beforeRoot, after: REPO_ROOT };
/** One measured quantity of one round: a number per metric name. */
type Sample = Record<string, number>;
const samples: Record<Version, Sample[]> = { before: [], after: [] };

const server = await prepareKeycloakServer('dev-file');
await server.supervisor.start();
const kc = benchAdminHttp(server.info);

/** One version's round: a fresh server on its own realm, the sync phases, the cached token loads. */
async function measure(version: Version, round: number): Promise<Sample> {
  const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
  const realm = `compare-${version}-${round}`;
  const srv = await startServerProcess(
    nc,
    server.info,
    { KEYCLOAK_REALM: realm },
    IMAGE_NODE_FLAGS,
    roots[version],
  );
  const sample: Sample = {};
  try {
    await enableAdminEvents(kc, realm);
    const writes = new AdminWriteCounter(kc, realm);
    nc.addUsers(directoryUsers(users));
    let peak = 0;
    for (const phase of PHASES) {
      if (phase === '1 % changed') nc.addUsers(directoryUsers(users, 1).filter((_, i) => i % 100 === 0));
      await writes.mark();
      const before = await keycloakRequestCounts(server.info.managementUrl);
      srv.resetPeakRss();
      const { seconds: s } = await syncAll(srv, { verify: phase === 'verification pass' });
      peak = Math.max(peak, srv.peakRss());
      const after = await keycloakRequestCounts(server.info.managementUrl);
      sample[`${phase}: seconds`] = s;
      sample[`${phase}: Keycloak requests`] = after.total - before.total;
      sample[`${phase}: Keycloak user reads`] = after.userReads - before.userReads;
      sample[`${phase}: Keycloak writes`] = (await writes.since()).length;
    }
    sample['sync: peak RSS MB'] = peak / 2 ** 20;
    for (const [name, count] of [
      ['cached token, 32 users', 32],
      [`cached token, ${MANY_TOKEN_USERS} users`, MANY_TOKEN_USERS],
    ] as const) {
      const variant = apiTokenVariant('/api/token, cache on', srv.url, 0, count);
      await warmUp(variant);
      const result = await load(srv.url, variant.requests, connections, seconds);
      if (result.non2xx + result.errors > 0)
        throw new Error(`${version}: ${name}: ${result.non2xx + result.errors} failed requests`);
      sample[`${name}: req/s`] = result.requestsPerSecond;
      sample[`${name}: p99 ms`] = result.p99Ms;
    }
    sample['after the loads: RSS MB'] = srv.rss() / 2 ** 20;
  } finally {
    await srv.stop().catch(() => undefined);
    await nc.stop().catch(() => undefined);
  }
  return sample;
}

try {
  for (let round = 1; round <= rounds; round++) {
    const order: Version[] = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
    for (const version of order) {
      log(`round ${round}/${rounds}: ${version}`);
      samples[version].push(await measure(version, round));
    }
  }
} finally {
  await server.stop();
}

// ---- Report: median and range per version, and the ratio of the medians ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (x: number) => (Number.isInteger(x) || Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
const span = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
const metrics = Object.keys(samples.after[0] ?? {});
const rows = metrics.map((metric) => {
  const before = samples.before.map((s) => s[metric]!);
  const after = samples.after.map((s) => s[metric]!);
  const b = median(before);
  const a = median(after);
  return { metric, before, after, ratio: b === 0 ? (a === 0 ? 1 : null) : a / b };
});
const revisions = { before: revision(beforeRoot), after: revision(REPO_ROOT) };
const table = [
  `before: ${revisions.before}`,
  `after:  ${revisions.after}`,
  `${rounds} rounds (alternating order), ${users} users, token loads ${seconds} s at ${connections} connections, one Keycloak ${server.info.version}; median (min–max)`,
  '',
  '| metric | before | after | after ÷ before |',
  '| --- | --: | --: | --: |',
  ...rows.map(
    (r) =>
      `| ${r.metric} | ${span(r.before)} | ${span(r.after)} | ${r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`} |`,
  ),
].join('\n');
console.log(`\n${table}`);
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  keycloak: server.info.version,
  settings: { rounds, users, seconds, connections, serverNodeFlags: [...IMAGE_NODE_FLAGS] },
  revisions,
  rows,
};
// Named by the two revisions too: several comparisons on one day keep their own files.
const short = (revision: string) => revision.split(' ')[0];
const out = join(
  import.meta.dirname,
  'results',
  `${results.date.slice(0, 10)}-compare-${short(revisions.before)}-${short(revisions.after)}.json`,
);
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten ${out}`);
