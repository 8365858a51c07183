import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const MAIN = join(REPO_ROOT, 'packages/http-koa/dist/main.js');
const CLI = join(REPO_ROOT, 'packages/cli/dist/main.js');

describe('serve (the process the Docker image runs)', () => {
  let nc: FakeNextcloud;
  let dir: string;
  beforeAll(async () => {
    nc = await new FakeNextcloud().start();
    dir = await mkdtemp(join(tmpdir(), 'serve-'));
  });
  afterAll(async () => {
    await nc.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, argv] of [
    ['the server module', [MAIN]],
    ['keycloak-exapp serve', [CLI, 'serve']],
  ] as const) {
    it(`${name}: listens on HaRP's unix socket, answers the heartbeat there (also to the healthcheck) and exits cleanly on SIGTERM`, async () => {
      const socket = join(dir, `${name.length}.sock`);
      const env = {
        PATH: process.env.PATH,
        APP_ID: 'keycloak',
        APP_SECRET: nc.exApp.secret,
        APP_VERSION: '0.1.0',
        APP_PORT: '23999',
        NEXTCLOUD_URL: nc.url,
        APP_PERSISTENT_STORAGE: join(dir, 'storage'),
        KEYCLOAK_CACHE_DIR: join(REPO_ROOT, '.keycloak'),
        HP_SHARED_KEY: 'shared',
        HP_EXAPP_SOCK: socket,
        LOG_LEVEL: 'warn',
      };
      const child = spawn(process.execPath, [...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      await expect.poll(() => existsSync(socket), { timeout: 60_000 }).toBe(true);
      const beat = await new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = request({ socketPath: socket, path: '/heartbeat' }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', fail);
        req.end();
      });
      expect(beat.status).toBe(200);
      expect(JSON.parse(beat.body)).toMatchObject({ status: 'ok', keycloak: 'stopped' });
      expect(spawnSync(process.execPath, [CLI, 'healthcheck'], { env }).status).toBe(0);
      const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill('SIGTERM');
      expect(await exit, stderr).toBe(0);
    }, 90_000);
  }

  it('refuses to start with a bad setting and names it, without a stack trace', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, APP_ID: 'keycloak' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(2); // a configuration error, as the CLI's exit codes say
    expect(stderr).toMatch(/^ {2}APP_SECRET: got nothing \(not set\), expected a value/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
