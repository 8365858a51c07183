// The image's HEALTHCHECK (`keycloak-exapp healthcheck`) says why it fails: Docker keeps that
// output (`docker inspect`), so an admin reads the reason instead of a bare "unhealthy".
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = join(resolve(import.meta.dirname, '../../..'), 'packages/cli/dist/main.js');
let server: Server | undefined;

function healthcheck(port: number) {
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, [MAIN, 'healthcheck'], {
      env: { PATH: process.env.PATH, APP_PORT: String(port) },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stderr }));
  });
}

async function heartbeatAnswering(status: number, body: unknown): Promise<number> {
  server = createServer((_, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
  );
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

afterEach(() => {
  server?.close();
  server = undefined;
});

describe('healthcheck', () => {
  it('passes, silently, on a healthy heartbeat', async () => {
    expect(await healthcheck(await heartbeatAnswering(200, { status: 'ok', keycloak: 'ready' }))).toEqual({
      code: 0,
      stderr: '',
    });
  });

  it("fails with the heartbeat's reason when Keycloak is down", async () => {
    const port = await heartbeatAnswering(503, { status: 'error', reason: 'Keycloak failed: it exited (1)' });
    const { code, stderr } = await healthcheck(port);
    expect(code).toBe(1);
    expect(stderr).toContain('/heartbeat answered 503');
    expect(stderr).toContain('Keycloak failed: it exited (1)');
  });

  it('fails saying the server cannot be reached when nothing listens', async () => {
    const port = await heartbeatAnswering(200, {});
    server!.close();
    const { code, stderr } = await healthcheck(port);
    expect(code).toBe(1);
    expect(stderr).toContain('/heartbeat cannot be reached');
  });
});
