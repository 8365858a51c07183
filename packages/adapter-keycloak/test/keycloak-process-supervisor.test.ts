// The supervisor's own logic (restart backoff, crash loop → failed, stop) on a pretend Keycloak:
// a kc.sh that serves /health/ready from a tiny Node server and can be told to crash.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger } from '@keycloak-exapp/core/testing';
import { KeycloakProcessSupervisor, freePort } from '@keycloak-exapp/adapter-keycloak';

const SERVER = `
const http = require('node:http');
const port = Number(process.argv.find((a) => a.startsWith('--http-management-port=')).split('=')[1]);
const crashAfter = Number(process.env.KC_TEST_CRASH_AFTER_MS || '0');
console.log(JSON.stringify({ level: 'INFO', loggerName: 'pretend', message: 'starting on ' + port }));
http.createServer((req, res) => res.writeHead(req.url === '/health/ready' ? 200 : 404).end()).listen(port, '127.0.0.1');
if (crashAfter > 0) setTimeout(() => process.exit(3), crashAfter);
process.on('SIGTERM', () => { console.log(JSON.stringify({ level: 'WARN', message: 'stopping' })); process.exit(0); });
`;

async function pretendHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'pretend-kc-'));
  await mkdir(join(home, 'bin'));
  await writeFile(join(home, 'server.cjs'), SERVER);
  await writeFile(
    join(home, 'bin', 'kc.sh'),
    `#!/bin/sh\nexec "${process.execPath}" "$(dirname "$0")/../server.cjs" "$@"\n`,
  );
  await chmod(join(home, 'bin', 'kc.sh'), 0o755);
  return home;
}

let supervisor: KeycloakProcessSupervisor | undefined;
afterEach(async () => {
  await supervisor?.stop({ graceMs: 2000 });
});

async function make(
  env: Record<string, string> = {},
  restart = { baseDelayMs: 50, maxCrashes: 2, windowMs: 60_000 },
) {
  const logger = new CapturingLogger();
  supervisor = new KeycloakProcessSupervisor({
    home: await pretendHome(),
    javaHome: '/nonexistent',
    httpPort: await freePort(),
    managementPort: await freePort(),
    env: { PATH: process.env.PATH ?? '', ...env, SECRET_NOT_FOR_KEYCLOAK: 'x' },
    logger,
    graceMs: 2000,
    restart,
  });
  return { supervisor, logger };
}

describe('KeycloakProcessSupervisor (pretend Keycloak)', () => {
  it('starts, forwards JSON log lines at their level and stops with SIGTERM', async () => {
    const { supervisor: s, logger } = await make();
    await s.start();
    expect(s.status().state).toBe('ready');
    await s.stop({ graceMs: 2000 });
    expect(s.status()).toMatchObject({ state: 'stopped', pid: null });
    expect(logger.entries.some((e) => e.level === 'info' && e.msg?.startsWith('starting on'))).toBe(true);
    expect(logger.entries.some((e) => e.level === 'warn' && e.msg === 'stopping')).toBe(true);
  });

  it('restarts after crashes and gives up with "failed" after too many within the window', async () => {
    const { supervisor: s } = await make({ KC_TEST_CRASH_AFTER_MS: '300' });
    const states: string[] = [];
    s.onStatus((st) => states.push(st.state));
    await s.start();
    await expect.poll(() => s.status().state, { timeout: 20_000 }).toBe('failed');
    expect(states.filter((x) => x === 'restarting').length).toBe(2);
    expect(s.status().error).toMatch(/crashed 3 times/);
    await expect(s.ready({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'PROCESS_FAILED' });
  });

  it('reports a process that exits during start as failed instead of waiting', async () => {
    const { supervisor: s } = await make({ KC_TEST_CRASH_AFTER_MS: '1' });
    await expect(s.start()).rejects.toMatchObject({ code: 'PROCESS_FAILED' });
    expect(s.status().state).toBe('failed');
  });
});
