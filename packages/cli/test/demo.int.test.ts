// The README's first command: the demo runs Keycloak + the ExApp + a sample Nextcloud and prints a
// curl that returns a token; Ctrl-C leaves no process behind. Also `keycloak start | status | stop`.
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(ROOT, 'packages/cli/dist/main.js');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function javaCount(marker: string): number {
  return execSync('ps -eo args', { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('java') && l.includes(marker)).length;
}

describe('keycloak-exapp demo', () => {
  it('prints a curl that returns a token, and stops everything on Ctrl-C', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'demo-'));
    dirs.push(storage);
    const child = spawn(process.execPath, [MAIN, 'demo', '--port', '0', '--storage', storage], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        KEYCLOAK_CACHE_DIR: join(ROOT, '.keycloak'),
        KEYCLOAK_VERSION: process.env.KEYCLOAK_VERSION,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await expect
      .poll(() => /curl -s .*\n/.exec(stdout)?.[0], { timeout: 300_000, interval: 500 })
      .toBeDefined();
    expect(stdout).toMatch(
      /Keycloak admin console: +http:\/\/127\.0\.0\.1:\d+\/admin\/ +\(user "admin", password \S+\)/,
    );
    expect(stdout).toMatch(/Consumer secret: +\S{32,}/);
    const curl = /(curl -s .*)\n/.exec(stdout)![1]!;
    const token = JSON.parse(execSync(curl, { encoding: 'utf8' })) as Record<string, unknown>;
    expect(token).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^eyJ/) });
    const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    child.kill('SIGINT');
    expect(await exit, stderr).toBe(0);
    expect(javaCount(storage)).toBe(0);
  }, 420_000);
});

describe('keycloak-exapp keycloak start | status | stop', () => {
  it('runs the local Keycloak in the foreground, reports it ready and stops it', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'kcstart-'));
    dirs.push(storage);
    const env = {
      PATH: process.env.PATH,
      APP_PERSISTENT_STORAGE: storage,
      KEYCLOAK_CACHE_DIR: join(ROOT, '.keycloak'),
      KEYCLOAK_VERSION: process.env.KEYCLOAK_VERSION,
    };
    const child = spawn(process.execPath, [MAIN, 'keycloak', 'start', '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    await expect.poll(() => stdout.includes('baseUrl'), { timeout: 300_000, interval: 500 }).toBe(true);
    const status = spawnSync(process.execPath, [MAIN, 'keycloak', 'status', '--json'], {
      env,
      encoding: 'utf8',
    });
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'ready' });
    const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    const stop = spawnSync(process.execPath, [MAIN, 'keycloak', 'stop'], {
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(stop.status, stop.stderr).toBe(0);
    expect(await exit).toBe(0);
    expect(javaCount(storage)).toBe(0);
    expect(spawnSync(process.execPath, [MAIN, 'keycloak', 'status'], { env }).status).toBe(6);
  }, 420_000);
});
