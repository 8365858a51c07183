import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'packages/cli/dist/main.js');
/** A loader hook that fails on any import of the web layer: the CLI's commands must not need it. */
const FORBID_WEB_LAYER = join(ROOT, 'packages/test-support/forbid-web-layer.mjs');

/**
 * Runs the built CLI with only `env` (and PATH), under the hook that forbids the web layer, without
 * blocking this process (a fake Nextcloud may answer from here); killed after 2 minutes.
 */
export function runCli(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; json: () => any }>(
    (resolveRun) => {
      const child = spawn(process.execPath, ['--import', FORBID_WEB_LAYER, MAIN, ...args], {
        env: { PATH: process.env.PATH, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr, json: () => JSON.parse(stdout) });
      });
    },
  );
}

/** Starts `nc` with the CLI tests' two users, and makes a volume (APP_PERSISTENT_STORAGE) for them. */
export async function startCliNextcloud(nc: FakeNextcloud, prefix: string): Promise<string> {
  await nc.start();
  nc.addUser({ id: 'alice', displayName: 'Alice Adams', email: 'alice@example.test', groups: ['staff'] });
  nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [] });
  return mkdtemp(join(tmpdir(), prefix));
}

/** A loopback port nothing listens on (for a Keycloak or Nextcloud that is down). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}
