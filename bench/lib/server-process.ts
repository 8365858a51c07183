// The ExApp server as AppAPI runs it: its own Node process (`keycloak-exapp serve`), installed by
// the fake Nextcloud (heartbeat → init → enabled), here against an external Keycloak so that its
// memory is the server's alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SyncReport } from '@keycloak-exapp/core';
import type { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import type { KeycloakServerInfo } from '@keycloak-exapp/test-support';
import { GcTrace } from './gc-trace.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The Node flags the image starts the server with (docker/Dockerfile's ENTRYPOINT): the bench runs it the same way. */
export const IMAGE_NODE_FLAGS: readonly string[] = (() => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
  if (!entry) throw new Error('docker/Dockerfile has no exec-form ENTRYPOINT');
  const args = JSON.parse(entry[1]!) as string[];
  return args.slice(1).filter((a) => a.startsWith('--'));
})();
export const BENCH_SECRET = `bench-consumer-${Math.random().toString(36).slice(2)}-${Date.now()}`;

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Peak resident set size since start or the last `resetPeakRss()`, in bytes (VmHWM). */
  peakRss(): number;
  /** Resident set size now, in bytes (VmRSS). */
  rss(): number;
  /** Resets the kernel's peak-RSS mark (clear_refs 5), so the next reading covers what follows. */
  resetPeakRss(): void;
  /** Bytes the server has written to its log (stdout) so far, GC trace lines left out. */
  logBytes(): number;
  /** Its garbage collections and allocation, when started with `--trace-gc`. */
  readonly gc: GcTrace;
  stop(): Promise<void>;
}

export async function startServerProcess(
  nc: FakeNextcloud,
  keycloak: KeycloakServerInfo,
  env: Record<string, string>,
  nodeArgs: readonly string[] = IMAGE_NODE_FLAGS,
  /** The built checkout whose server runs: this one, or another revision's (bench/compare.ts). */
  root: string = REPO_ROOT,
): Promise<ServerProcess> {
  const port = await freePort();
  const storage = await mkdtemp(join(tmpdir(), 'keycloak-exapp-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, join(root, 'packages/cli/dist/main.js'), 'serve'],
    {
      env: {
        PATH: process.env.PATH,
        APP_ID: nc.exApp.appId,
        APP_SECRET: nc.exApp.secret,
        APP_VERSION: nc.exApp.version,
        APP_HOST: '127.0.0.1',
        APP_PORT: String(port),
        NEXTCLOUD_URL: `${nc.url}/index.php`,
        APP_PERSISTENT_STORAGE: storage,
        KEYCLOAK_MODE: 'external',
        KEYCLOAK_URL: keycloak.baseUrl,
        KEYCLOAK_ADMIN_CLIENT_ID: keycloak.adminClientId,
        KEYCLOAK_ADMIN_CLIENT_SECRET: keycloak.adminClientSecret,
        KEYCLOAK_API_CONSUMERS: JSON.stringify([
          { name: 'bench', secret: BENCH_SECRET, clientIds: ['opentalk'], operations: ['token', 'sync'] },
        ]),
        SYNC_INTERVAL_SECONDS: '86400',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let logBytes = 0;
  const gc = new GcTrace();
  child.stdout?.on('data', (chunk: Buffer) => (logBytes += chunk.length - gc.feed(chunk.toString())));
  const url = `http://127.0.0.1:${port}`;
  nc.exApp.target = { url };
  const result = await nc.appApi.install({ timeoutMs: 300_000 });
  if (result.error) throw new Error(`init failed: ${result.error}`);
  const pid = child.pid!;
  const statusKb = (field: 'VmHWM' | 'VmRSS') => {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  };
  return {
    url,
    pid,
    peakRss: () => statusKb('VmHWM'),
    rss: () => statusKb('VmRSS'),
    resetPeakRss: () => writeFileSync(`/proc/${pid}/clear_refs`, '5'),
    logBytes: () => logBytes,
    gc,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(storage, { recursive: true, force: true });
    },
  };
}

/** `POST /api/sync-all?async=1`, then polls the job; returns the report and the wall time. */
export async function syncAll(
  server: ServerProcess,
  opts: { verify?: boolean } = {},
): Promise<{ seconds: number; report: SyncReport }> {
  const headers = { 'x-api-secret': BENCH_SECRET };
  const started = performance.now();
  const verify = opts.verify ? '&verify=1' : '';
  const res = await fetch(`${server.url}/api/sync-all?async=1${verify}`, { method: 'POST', headers });
  if (res.status !== 202) throw new Error(`sync-all answered ${res.status}: ${await res.text()}`);
  const { status_url } = (await res.json()) as { status_url: string };
  for (;;) {
    const job = (await (await fetch(`${server.url}${status_url}`, { headers })).json()) as {
      status: string;
      report: SyncReport | null;
      error: { message: string } | null;
    };
    if (job.status === 'done' && job.report)
      return { seconds: (performance.now() - started) / 1000, report: job.report };
    if (job.status === 'failed') throw new Error(`sync failed: ${job.error?.message ?? '?'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Keycloak's own count of the HTTP requests it served (its management port's metrics). */
export async function keycloakRequestCounts(
  managementUrl: string,
): Promise<{ total: number; userReads: number }> {
  const text = await (await fetch(`${managementUrl}/metrics`)).text();
  let total = 0;
  let userReads = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_server_requests_seconds_count{')) continue;
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    total += count;
    if (/method="GET"/.test(line) && /uri="\/admin\/realms\/\{realm\}\/users[^"]*"/.test(line))
      userReads += count;
  }
  return { total, userReads };
}

/** The server's count of token requests that waited for a Nextcloud check (its /metrics). */
export async function directoryWaits(serverUrl: string): Promise<number> {
  const res = await fetch(`${serverUrl}/metrics`, { headers: { 'x-api-secret': BENCH_SECRET } });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const match = /^keycloak_exapp_token_directory_waits_total (\d+)$/m.exec(await res.text());
  return Number(match?.[1] ?? 0);
}
