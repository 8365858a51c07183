// `npm run bench -- --cluster`: one Keycloak node against two behind HAProxy, in one run on one
// machine. Token throughput through the ExApp (cache off: every request is a password or refresh
// grant on Keycloak; cache on: the ExApp answers from memory) and a first sync of N users, each
// on a fresh realm. Prints a table and writes bench/results/<date>-cluster.json.
//   --cluster-users 10000   --seconds 10   --concurrency 8,32
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { startKeycloakCluster, startHaproxy } from '@keycloak-exapp/test-support';
import { load, type LoadResult } from './lib/load.js';
import { BENCH_SECRET, startServerProcess, syncAll, type ServerProcess } from './lib/server-process.js';

const { values: args } = parseArgs({
  options: {
    cluster: { type: 'boolean', default: true },
    'cluster-users': { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '8,32' },
  },
  strict: false,
});
const users = Number(args['cluster-users']);
const seconds = Number(args.seconds);
const concurrencies = String(args.concurrency).split(',').map(Number);
const TOKEN_USERS = 32;
process.env.KEYCLOAK_TEST_JAVA_OPTS ??= '';

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const port = (url: string) => Number(new URL(url).port);

interface Topology {
  readonly name: '1 node' | '2 nodes behind HAProxy';
  readonly firstSync: { users: number; seconds: number; usersPerSecond: number };
  readonly token: { variant: 'cache off' | 'cache on'; concurrency: number; result: LoadResult }[];
}

const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
log('starting two Keycloak nodes on one PostgreSQL database');
const cluster = await startKeycloakCluster({ hostname: `${nc.url}/exapps/${nc.exApp.appId}` });
const lb = await startHaproxy(
  cluster.nodes.map((n) => ({
    name: n.name,
    httpPort: port(n.supervisor.baseUrl),
    managementPort: port(n.supervisor.managementUrl),
  })),
);
const topologies: Topology[] = [];
const running: ServerProcess[] = [];

async function measure(name: Topology['name'], keycloakUrl: string, realm: string): Promise<Topology> {
  const site = await new FakeNextcloud({ admins: ['admin'] }).start();
  try {
    const keycloak = {
      db: 'postgres' as const,
      version: '',
      baseUrl: keycloakUrl,
      managementUrl: '',
      adminClientId: cluster.admin.clientId,
      adminClientSecret: cluster.admin.clientSecret,
    };
    log(`${name}: installing the ExApp (realm ${realm})`);
    const cached = await startServerProcess(site, keycloak, { KEYCLOAK_REALM: realm });
    running.push(cached);
    site.addUsers(
      Array.from({ length: users }, (_, i) => ({
        id: `u${i}`,
        displayName: `First${i} Last${i}`,
        email: `u${i}@example.test`,
        groups: [`team${i % 20}`],
      })),
    );
    log(`${name}: first sync of ${users} users`);
    const { seconds: syncSeconds } = await syncAll(cached);
    log(`  ${syncSeconds.toFixed(1)} s`);
    const uncached = await startServerProcess(site, keycloak, {
      KEYCLOAK_REALM: realm,
      TOKEN_CACHE_ENABLED: 'false',
    });
    running.push(uncached);
    const requests = Array.from({ length: TOKEN_USERS }, (_, i) => ({
      method: 'POST' as const,
      path: '/api/token?client_id=opentalk',
      headers: { 'x-api-secret': BENCH_SECRET, 'x-nc-user-id': `u${i}` },
    }));
    const token: Topology['token'] = [];
    for (const [variant, srv] of [
      ['cache off', uncached],
      ['cache on', cached],
    ] as const) {
      for (const r of requests) {
        const res = await fetch(`${srv.url}${r.path}`, { method: r.method, headers: r.headers });
        if (res.status !== 200) throw new Error(`${name} ${variant}: warm-up answered ${res.status}`);
      }
      // The JIT warms on load, not on 32 requests: an unrecorded load first, so that neither
      // topology is measured cold (node A serves both, node B only the second).
      log(`${name}: tokens, ${variant}: warm-up load, ${seconds} s`);
      await load(srv.url, requests, Math.max(...concurrencies), seconds);
      for (const c of concurrencies) {
        log(`${name}: tokens, ${variant}, ${c} connections, ${seconds} s`);
        token.push({ variant, concurrency: c, result: await load(srv.url, requests, c, seconds) });
      }
    }
    await uncached.stop();
    await cached.stop();
    running.length = 0;
    return { name, firstSync: { users, seconds: syncSeconds, usersPerSecond: users / syncSeconds }, token };
  } finally {
    await site.stop();
  }
}

try {
  // One node: B leaves the cluster gracefully (its row leaves the discovery table with it).
  await cluster.nodes[1].supervisor.stop({ graceMs: 20_000 });
  await cluster.waitForView(1);
  topologies.push(await measure('1 node', cluster.nodes[0].supervisor.baseUrl, 'bench1node'));
  log('starting node B again');
  await cluster.nodes[1].supervisor.start();
  await cluster.waitForView(2);
  topologies.push(await measure('2 nodes behind HAProxy', lb.url, 'bench2nodes'));
} finally {
  for (const srv of running) await srv.stop().catch(() => undefined);
  await lb.stop();
  await cluster.stop();
  await nc.stop();
}

const [one, two] = topologies as [Topology, Topology];
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const lines = [
  row(['measure', '1 node', '2 nodes behind HAProxy', '2 nodes ÷ 1 node']),
  row(['---', '--:', '--:', '--:']),
  row([
    `first sync of ${users} users, s`,
    one.firstSync.seconds.toFixed(1),
    two.firstSync.seconds.toFixed(1),
    ratio(two.firstSync.seconds, one.firstSync.seconds),
  ]),
  ...one.token.map((t, i) => {
    const o = two.token[i]!;
    return row([
      `tokens, ${t.variant}, ${t.concurrency} connections, req/s (p99 ms)`,
      `${t.result.requestsPerSecond.toFixed(0)} (${t.result.p99Ms})`,
      `${o.result.requestsPerSecond.toFixed(0)} (${o.result.p99Ms})`,
      ratio(o.result.requestsPerSecond, t.result.requestsPerSecond),
    ]);
  }),
];
const errors = topologies
  .flatMap((t) => t.token.map((x) => x.result.non2xx + x.result.errors))
  .reduce((a, b) => a + b, 0);
process.stdout.write(`${lines.join('\n')}\n\nnon-2xx answers and errors across all loads: ${errors}\n`);
const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  settings: { users, seconds, concurrencies, tokenUsers: TOKEN_USERS },
  topologies,
  errors,
};
const dir = join(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
const file = join(dir, `${results.date.slice(0, 10)}-cluster.json`);
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${file}`);
