// The examples of embedding, run as a newcomer would run them (plain `node`, no build step) against
// the real Keycloak the int tests start: examples/embed-script and examples/embed-koa.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import type {} from '../../adapter-keycloak/test/keycloak.global-setup.js';
import { REPO_ROOT, call } from './exapp-harness.js';

const server = inject('keycloakServers')[0]!;
const keycloakEnv = {
  ...process.env,
  KEYCLOAK_URL: server.baseUrl,
  KEYCLOAK_ADMIN_CLIENT_ID: server.adminClientId,
  KEYCLOAK_ADMIN_CLIENT_SECRET: server.adminClientSecret,
  PASSWORD_KEY: randomBytes(24).toString('hex'),
};
const usersFile = join(REPO_ROOT, 'examples/users.json');
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** Scripts run under this hook fail the moment anything resolves Koa, prom-client or http-koa. */
const FORBID_WEB_LAYER = join(REPO_ROOT, 'packages/test-support/forbid-web-layer.mjs');

describe.each([
  ['examples/embed-script', 'the core and the Keycloak adapter, wired by hand'],
  ['examples/embed-graph', "the composition package's graph (what the server and the CLI use)"],
])('%s: %s, in a plain Node script without the web layer', (example) => {
  it('syncs a users file into a new realm and prints a token for one of them, loading no Koa', async () => {
    const realm = `${example.split('/')[1]}-${randomBytes(3).toString('hex')}`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        FORBID_WEB_LAYER,
        join(REPO_ROOT, example, 'sync-and-token.mjs'),
        usersFile,
        'alice',
        realm,
      ],
      { cwd: REPO_ROOT, env: keycloakEnv, timeout: 180_000 },
    );
    expect(stderr).toMatch(new RegExp(`realm ${realm}: \\d+ users \\(\\d+ created`));
    const answer = JSON.parse(stdout) as { access_token: string; expires_in: number };
    expect(claimsOf(answer.access_token)).toMatchObject({ preferred_username: 'alice', azp: 'opentalk' });
    expect(String(claimsOf(answer.access_token).iss)).toMatch(new RegExp(`/realms/${realm}$`));
  }, 240_000);
});

it('the hook those scripts run under does stop a script that loads the web layer', async () => {
  const run = promisify(execFile)(
    process.execPath,
    ['--import', FORBID_WEB_LAYER, '--input-type=module', '-e', "await import('@keycloak-exapp/http-koa')"],
    { cwd: REPO_ROOT },
  );
  await expect(run).rejects.toMatchObject({
    stderr: expect.stringMatching(/web layer loaded: @keycloak-exapp\/http-koa/),
  });
});

describe('examples/embed-koa: a Koa service mounting the token API under its own prefix and auth', () => {
  let child: ChildProcess;
  let base = '';
  const serviceToken = `service-token-${randomBytes(12).toString('hex')}`;
  const realm = `embed-koa-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    const port = await freePort();
    child = spawn(process.execPath, [join(REPO_ROOT, 'examples/embed-koa/server.mjs'), usersFile, realm], {
      cwd: REPO_ROOT,
      env: {
        ...keycloakEnv,
        PORT: String(port),
        SERVICE_TOKENS: JSON.stringify({ [serviceToken]: 'talk-backend' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line: ${output}`)), 180_000);
      for (const stream of [child.stdout!, child.stderr!])
        stream.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    base = `http://127.0.0.1:${port}`;
  }, 240_000);
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  const auth = () => ({ authorization: `Bearer ${serviceToken}` });

  it('serves its own routes next to the mounted API', async () => {
    expect((await call(base, 'GET', '/hello')).body).toMatchObject({ realm });
  });

  it('gives a token through /identity/token to a caller its own auth accepts, and 401 JSON to others', async () => {
    const headers = { ...auth(), 'x-nc-user-id': 'alice' };
    const ok = await call(base, 'POST', '/identity/token?client_id=opentalk', headers);
    expect(ok.status, ok.text).toBe(200);
    expect(claimsOf(ok.body.access_token)).toMatchObject({ preferred_username: 'alice' });
    const refused = await call(base, 'POST', '/identity/token?client_id=opentalk', {
      'x-nc-user-id': 'alice',
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    const wrongClient = await call(base, 'POST', '/identity/token?client_id=openzaak', headers);
    expect(wrongClient.status).toBe(403);
  }, 120_000);

  it('runs a full sync as a job under its own prefix, and syncs one user', async () => {
    const job = await call(base, 'POST', '/identity/sync-all?async=1', auth());
    expect(job.status).toBe(202);
    expect(job.body.status_url).toBe(`/identity/sync-all/jobs/${job.body.job_id}`);
    await expect
      .poll(async () => (await call(base, 'GET', job.body.status_url, auth())).body.status, {
        timeout: 60_000,
      })
      .toBe('done');
    const one = await call(
      base,
      'POST',
      '/identity/sync-user',
      { ...auth(), 'content-type': 'application/json' },
      '{"user_id":"bob"}',
    );
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ user_id: 'bob' });
  }, 120_000);
});
