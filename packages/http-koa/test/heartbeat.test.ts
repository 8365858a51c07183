// /heartbeat tells the truth about the embedded Keycloak: failed, or starting/restarting beyond the
// grace period, answers 503 with the reason (AppAPI and Docker's HEALTHCHECK both read it); before
// init, stopped or external is healthy.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { FakeProcessSupervisor } from '@keycloak-exapp/core/testing';
import { KeycloakReadiness } from '../src/lifecycle/keycloak-readiness.js';
import { lifecycleRoutes } from '../src/routes/lifecycle.routes.js';
import { probeHeartbeat } from '../src/heartbeat-probe.js';

async function withHeartbeat<T>(readiness: KeycloakReadiness, use: (port: number) => Promise<T>): Promise<T> {
  const app = new Koa();
  const router = lifecycleRoutes({} as never, readiness, {} as never, '1.0.0');
  app.use(router.routes());
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    return await use((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}

const heartbeat = (readiness: KeycloakReadiness) =>
  withHeartbeat(readiness, async (port) => {
    const res = await fetch(`http://127.0.0.1:${port}/heartbeat`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  });

describe('/heartbeat', () => {
  it('is healthy before init (stopped), while starting within the grace period, and when ready', async () => {
    let now = 0;
    const supervisor = new FakeProcessSupervisor();
    const readiness = new KeycloakReadiness(supervisor, { graceMs: 60_000, now: () => now });
    expect(await heartbeat(readiness)).toMatchObject({
      status: 200,
      body: { status: 'ok', keycloak: 'stopped' },
    });
    await supervisor.start();
    expect(await heartbeat(readiness)).toMatchObject({
      status: 200,
      body: { status: 'ok', keycloak: 'ready' },
    });
    supervisor.crash(3_600_000); // restarting, for long
    now += 59_000;
    expect(await heartbeat(readiness)).toMatchObject({ status: 200, body: { keycloak: 'restarting' } });
    now += 2_000;
    expect(await heartbeat(readiness)).toMatchObject({
      status: 503,
      body: {
        status: 'error',
        keycloak: 'restarting',
        reason: expect.stringContaining('restarting for 61 s'),
      },
    });
  });

  it('is unhealthy at once when Keycloak failed, saying why', async () => {
    const supervisor = new FakeProcessSupervisor();
    supervisor.failStarts(1);
    await supervisor.start().catch(() => undefined);
    const res = await heartbeat(new KeycloakReadiness(supervisor));
    expect(res).toMatchObject({
      status: 503,
      body: { status: 'error', keycloak: 'failed', reason: 'Keycloak failed: process exited during start' },
    });
  });

  it('is healthy in external mode (no process of ours to judge)', async () => {
    expect(await heartbeat(new KeycloakReadiness(undefined))).toMatchObject({
      status: 200,
      body: { status: 'ok', keycloak: 'external' },
    });
  });

  it('is read by the image’s probe: healthy when ok, else unhealthy with the route’s own reason', async () => {
    const supervisor = new FakeProcessSupervisor();
    const readiness = new KeycloakReadiness(supervisor, { graceMs: 60_000 });
    await supervisor.start();
    expect(await withHeartbeat(readiness, (port) => probeHeartbeat({ port }))).toMatchObject({
      healthy: true,
    });
    const failed = new FakeProcessSupervisor();
    failed.failStarts(1);
    await failed.start().catch(() => undefined);
    expect(await withHeartbeat(new KeycloakReadiness(failed), (port) => probeHeartbeat({ port }))).toEqual({
      healthy: false,
      why: '/heartbeat answered 503: Keycloak failed: process exited during start',
    });
  });
});
