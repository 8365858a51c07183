// The shape of bench/results/<date>.json, and its Markdown tables (printed by run.ts after a run
// and by report.ts for any results file).
import type { LoadResult } from './load.js';

/** The directory states a sync meets (see BASELINE_PHASES in run.ts). */
export const PHASES = [
  'first sync',
  'unchanged re-sync',
  '1 % changed',
  'unchanged, warm cache',
  'verification pass',
] as const;

export interface SyncRow {
  users: number;
  phase: (typeof PHASES)[number];
  ours: {
    seconds: number;
    keycloakWrites: number;
    report: unknown;
    /** What Keycloak counted on its management port during the pass (absent in older runs). */
    keycloakRequests?: number;
    keycloakUserReads?: number;
    /** 'digest' or 'verify' (absent in older runs). */
    pass?: string;
    /** The server's peak RSS during this pass alone (absent in older runs). */
    peakRssBytes?: number;
  };
  /** null: not run (above --full-baseline-up-to the baseline repeats its first-sync work unchanged). */
  baseline: {
    seconds: number;
    keycloakWrites: number;
    keycloakCalls: number;
    /** Where the figure comes from when not measured in this run: an earlier run's date, or "extrapolated". */
    source?: string;
  } | null;
  speedup: number | null;
}

export interface TokenRow {
  variant:
    | 'raw Keycloak password grant'
    | '/api/token, cache off'
    | '/api/token, cache on'
    | '/api/token, cache on, 1000 users'
    /** The framework's floor (issue 29): the same answer's bytes, nothing checked. */
    | 'floor: bare Node http'
    | 'floor: Koa + @koa/router'
    /** Our app in front of a stub answering one token set, and in front of the real core over in-memory fakes. */
    | 'our app, core stubbed'
    | 'our app and core, in-memory fakes';
  concurrency: number;
  result: LoadResult;
  sessionsLeft: number;
  vsRaw: { throughput: number; p99: number } | null;
  /** A cached row against the Koa floor of the same run and connections (absent in older runs). */
  vsKoaFloor?: { throughput: number; p99: number } | null;
  /**
   * Requests of the load that waited for a Nextcloud check (the server's
   * keycloak_exapp_token_directory_waits_total); null for raw Keycloak, absent in older runs.
   */
  waitedForNextcloud?: number | null;
}

export interface BenchResults {
  date: string;
  machine: string;
  keycloak: { version: string; database: string; java: string };
  settings: {
    sizes: number[];
    seconds: number;
    concurrencies: number[];
    tokenUsers: number;
    /** Absent in runs before it was recorded (they used 1 000). */
    fullBaselineUpTo?: number;
    /** The Node flags the server ran with (the image's ENTRYPOINT); absent in older runs. */
    serverNodeFlags?: string[];
  };
  token: TokenRow[];
  sync: SyncRow[];
  /** Bytes the server logged per 1 000 cached token answers (absent in older runs). */
  logBytesPer1000CachedTokens?: number;
  footprint: {
    serverPeakRssBytes: { users: number; bytes: number }[];
    keycloakStartToReadySeconds: { optimized: number; startDev: number };
  };
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

export function formatResults(r: BenchResults): string {
  const lines = [
    `${r.date.slice(0, 10)}, ${r.machine}, Keycloak ${r.keycloak.version} (${r.keycloak.database}); ` +
      `token loads ${r.settings.seconds} s each over ${r.settings.tokenUsers} users.`,
    '',
    row([
      'token',
      'connections',
      'req/s',
      'p50 ms',
      'p99 ms',
      '× raw Keycloak',
      'of Koa floor req/s',
      'p99 × Koa floor',
      'errors',
      'sessions left',
      'waited for Nextcloud',
    ]),
    row(['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:']),
    ...r.token.map((t) =>
      row([
        t.variant,
        t.concurrency,
        t.result.requestsPerSecond.toFixed(0),
        t.result.p50Ms,
        t.result.p99Ms,
        t.vsRaw ? `${t.vsRaw.throughput.toFixed(2)}×` : t.variant.startsWith('floor') ? '–' : '1×',
        t.vsKoaFloor ? `${(t.vsKoaFloor.throughput * 100).toFixed(0)} %` : '–',
        t.vsKoaFloor ? `${t.vsKoaFloor.p99.toFixed(1)}×` : '–',
        t.result.non2xx + t.result.errors,
        t.sessionsLeft,
        t.waitedForNextcloud ?? '–',
      ]),
    ),
    '',
    row([
      'sync',
      'users',
      'pass',
      'ours s',
      'Keycloak requests',
      'Keycloak user reads',
      'Keycloak writes',
      'peak RSS MB',
      'baseline s',
      'baseline writes',
      'speed-up',
    ]),
    row(['---', '--:', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:']),
    ...r.sync.map((s) =>
      row([
        s.phase,
        s.users,
        s.ours.pass ?? '–',
        s.ours.seconds.toFixed(2),
        s.ours.keycloakRequests ?? '–',
        s.ours.keycloakUserReads ?? '–',
        s.ours.keycloakWrites,
        s.ours.peakRssBytes ? (s.ours.peakRssBytes / 2 ** 20).toFixed(0) : '–',
        s.baseline
          ? `${s.baseline.seconds.toFixed(1)}${s.baseline.source ? ` (${s.baseline.source})` : ''}`
          : '–',
        s.baseline ? s.baseline.keycloakWrites : '–',
        s.speedup ? `${s.speedup.toFixed(1)}×` : '–',
      ]),
    ),
    '',
  ];
  if (r.logBytesPer1000CachedTokens !== undefined)
    lines.push(
      `The server logged ${r.logBytesPer1000CachedTokens.toFixed(0)} bytes per 1 000 cached token answers.`,
      '',
    );
  const f = r.footprint;
  if (r.settings.serverNodeFlags)
    lines.push(
      `The server ran as the image starts it: \`node ${r.settings.serverNodeFlags.join(' ')}\`.`,
      '',
    );
  lines.push(
    f.serverPeakRssBytes
      .map((p) => `Server peak RSS during the ${p.users}-user syncs: ${(p.bytes / 2 ** 20).toFixed(0)} MB.`)
      .join(' ') +
      ` Keycloak from start to ready: ${f.keycloakStartToReadySeconds.optimized.toFixed(1)} s optimized build, ` +
      `${f.keycloakStartToReadySeconds.startDev.toFixed(1)} s \`start-dev\`.`,
  );
  return lines.join('\n');
}
