// HaRP's FRP mode on the checkout: the server listens on a unix socket only and runs the real
// frpc, which connects to a real frps on loopback; the fake Nextcloud's HaRP-like proxy reaches
// the ExApp through frps → frpc → the socket, as HaRP does (protocol notes §1 "Listening rule").
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import {
  OPENTALK_SECRET,
  REPO_ROOT,
  call,
  infoXmlRoutes,
  startExApp,
  type ExAppHarness,
} from './exapp-harness.js';
import { frpsTlsLines, makeFrpCertificates } from './frp-tls.js';

const REALM = 'commonground';
let h: ExAppHarness;
let frps: ChildProcess;
let frpDir = '';
let work = '';
let remotePort = 0;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const viaHarp = (method: string, path: string, headers: Record<string, string> = {}) =>
  call(h.nc.url, method, `/exapps/keycloak${path}`, headers);

beforeAll(async () => {
  frpDir = join(
    REPO_ROOT,
    execFileSync('bash', [join(REPO_ROOT, 'scripts/frp.sh')], { encoding: 'utf8' }).trim(),
  );
  work = mkdtempSync(join(tmpdir(), 'harp-frp-'));
  const bindPort = await freePort();
  remotePort = await freePort();
  // HaRP's TLS for the tunnel: frps presents harp.nc's certificate and requires frpc's.
  const certs = join(work, 'certs');
  makeFrpCertificates(certs);
  writeFileSync(
    join(work, 'frps.toml'),
    `bindAddr = "127.0.0.1"\nbindPort = ${bindPort}\nproxyBindAddr = "127.0.0.1"\nallowPorts = [{ single = ${remotePort} }]\n${frpsTlsLines(certs)}`,
  );
  frps = spawn(join(frpDir, 'frps'), ['-c', join(work, 'frps.toml')], { stdio: 'ignore' });
  h = await startExApp({
    HP_SHARED_KEY: 'harp-shared-key-for-the-frp-test-0123456789',
    HP_EXAPP_SOCK: join(work, 'exapp.sock'),
    HP_FRP_ADDRESS: '127.0.0.1',
    HP_FRP_PORT: String(bindPort),
    APP_PORT: String(remotePort),
    FRPC_BINARY: join(frpDir, 'frpc'),
    FRP_CERTS_DIR: certs,
  });
  h.nc.exApp.routes = infoXmlRoutes();
}, 120_000);

afterAll(async () => {
  await h?.dispose();
  frps?.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('HaRP FRP mode: frps → frpc → the unix socket', () => {
  it('listens on the socket only and reaches HaRP through frpc', async () => {
    expect(h.url).toBe(`http://127.0.0.1:${remotePort}`);
    const beat = await until('the heartbeat through frps', async () => {
      const res = await call(h.url, 'GET', '/heartbeat');
      return res.status === 200 && res.body.frpc === 'connected' ? res : undefined;
    });
    expect(beat.body).toMatchObject({ status: 'ok', frpc: 'connected' });
  });

  it('runs the AppAPI lifecycle through the tunnel: heartbeat → init to 100 → enabled', async () => {
    const { progress, error } = await h.nc.appApi.install({ timeoutMs: 480_000 });
    expect(error).toBe('');
    expect(progress.at(-1)).toBe(100);
  }, 600_000);

  it("serves a consumer's token call and the discovery document through /exapps/keycloak", async () => {
    h.nc.addUser({ id: 'alice', displayName: 'Alice Adams', email: 'alice@example.test', groups: ['staff'] });
    const res = await viaHarp('POST', '/api/token?client_id=opentalk', {
      'x-api-secret': OPENTALK_SECRET,
      'x-nc-user-id': 'alice',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    const discovery = await viaHarp('GET', `/realms/${REALM}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(`${h.issuerBase}/realms/${REALM}`);
  });

  it('restarts a frpc that died, and HaRP reaches the ExApp again', async () => {
    const pid = h.server.frpc?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await until('frpc to restart', () => Promise.resolve(h.server.frpc!.restarts >= 1 ? true : undefined));
    const beat = await until('the heartbeat through the new frpc', async () => {
      const res = await viaHarp('GET', '/api/sync-all/jobs/x', { 'x-api-secret': OPENTALK_SECRET });
      return res.status === 403 ? res : undefined; // answered by the server: the tunnel is back
    });
    expect(beat.status).toBe(403);
    expect(h.logs()).toContain('frpc exited; restarting');
    expect(h.logs()).not.toContain('harp-shared-key-for-the-frp-test');
  });
});
