// Prints a bench/results/<date>.json written by bench/run.ts as the Markdown tables of the README.
// Run: npx tsx bench/report.ts bench/results/2026-11-28.json
import { readFileSync } from 'node:fs';

interface Results {
  date: string;
  machine: string;
  keycloak: { version: string; database: string };
  settings: { seconds: number; tokenUsers: number };
  token: {
    variant: string;
    concurrency: number;
    result: { requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number };
    sessionsLeft: number;
    vsRaw: { throughput: number } | null;
  }[];
  sync: {
    users: number;
    phase: string;
    ours: { seconds: number; keycloakWrites: number };
    baseline: { seconds: number; keycloakWrites: number } | null;
    speedup: number | null;
  }[];
  footprint: {
    serverPeakRssBytes: { users: number; bytes: number }[];
    keycloakStartToReadySeconds: { optimized: number; startDev: number };
  };
}

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx bench/report.ts bench/results/<date>.json');
const r = JSON.parse(readFileSync(file, 'utf8')) as Results;
const row = (cells: (string | number)[]) => console.log(`| ${cells.join(' | ')} |`);

console.log(
  `${r.date.slice(0, 10)}, ${r.machine}, Keycloak ${r.keycloak.version} (${r.keycloak.database}); ` +
    `token loads ${r.settings.seconds} s each over ${r.settings.tokenUsers} users.\n`,
);
row([
  'token',
  'connections',
  'req/s',
  'p50 ms',
  'p99 ms',
  '× raw Keycloak',
  'errors',
  'Keycloak sessions left',
]);
row(['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:']);
for (const t of r.token)
  row([
    t.variant,
    t.concurrency,
    t.result.requestsPerSecond.toFixed(0),
    t.result.p50Ms,
    t.result.p99Ms,
    t.vsRaw ? `${t.vsRaw.throughput.toFixed(2)}×` : '1×',
    t.result.non2xx + t.result.errors,
    t.sessionsLeft,
  ]);
console.log('');
row(['sync', 'users', 'ours s', 'Keycloak writes', 'baseline s', 'baseline writes', 'speed-up']);
row(['---', '--:', '--:', '--:', '--:', '--:', '--:']);
for (const s of r.sync)
  row([
    s.phase,
    s.users,
    s.ours.seconds.toFixed(2),
    s.ours.keycloakWrites,
    s.baseline ? s.baseline.seconds.toFixed(1) : '–',
    s.baseline ? s.baseline.keycloakWrites : '–',
    s.speedup ? `${s.speedup.toFixed(1)}×` : '–',
  ]);
console.log('');
const f = r.footprint;
console.log(
  f.serverPeakRssBytes
    .map((p) => `Server peak RSS during the ${p.users}-user syncs: ${(p.bytes / 2 ** 20).toFixed(0)} MB.`)
    .join(' ') +
    ` Keycloak from start to ready: ${f.keycloakStartToReadySeconds.optimized.toFixed(1)} s optimized build, ` +
    `${f.keycloakStartToReadySeconds.startDev.toFixed(1)} s \`start-dev\`.`,
);
