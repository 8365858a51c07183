import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { CapturingLogger } from '@keycloak-exapp/core/testing';
import { FrpClient, frpcConfig } from '@keycloak-exapp/http-koa';

const settings = {
  serverAddress: 'appapi-harp',
  serverPort: 8782,
  sharedKey: new Secret('shared "key" \\ with quotes'),
  appId: 'keycloak',
  remotePort: 23001,
  socketPath: '/tmp/exapp.sock',
  certsDir: '/certs/frp',
};

describe('frpcConfig: what HaRP expects of an ExApp in FRP mode', () => {
  it('names the proxy after the ExApp, on APP_PORT, served from the unix socket', () => {
    const config = frpcConfig(settings, false);
    expect(config).toContain('serverAddr = "appapi-harp"\nserverPort = 8782');
    expect(config).toContain('metadatas.token = "shared \\"key\\" \\\\ with quotes"');
    expect(config).toContain(
      '[[proxies]]\nname = "keycloak"\ntype = "tcp"\nremotePort = 23001\n[proxies.plugin]\ntype = "unix_domain_socket"\nunixPath = "/tmp/exapp.sock"',
    );
    expect(config).not.toContain('transport.tls');
  });

  it('uses HaRP’s client certificate when /certs/frp exists', () => {
    const config = frpcConfig(settings, true);
    expect(config).toContain('transport.tls.certFile = "/certs/frp/client.crt"');
    expect(config).toContain('transport.tls.keyFile = "/certs/frp/client.key"');
    expect(config).toContain('transport.tls.trustedCaFile = "/certs/frp/ca.crt"');
    expect(config).toContain('transport.tls.serverName = "harp.nc"');
  });
});

describe("FrpClient without HaRP's CA", () => {
  it('refuses to start the tunnel (the shared key would go to an unverified server) and says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'frp-no-ca-'));
    const logger = new CapturingLogger();
    // Only the client certificate is there: no ca.crt to verify HaRP's FRP server with.
    await writeFile(join(dir, 'client.crt'), 'x');
    const frpc = new FrpClient(
      { ...settings, certsDir: dir },
      { binary: join(dir, 'frpc-must-not-run'), logger },
    );
    await frpc.start();
    expect(frpc.state).toBe('refused');
    expect(frpc.pid).toBeUndefined();
    expect(frpc.reason).toMatch(/ca\.crt is missing.*FRP_ALLOW_WITHOUT_CA/);
    expect(logger.entries.some((e) => e.level === 'error' && /frpc not started/.test(e.msg ?? ''))).toBe(
      true,
    );
    expect(JSON.stringify(logger.entries)).not.toContain('with quotes'); // the shared key never logged
    await rm(dir, { recursive: true, force: true });
  });

  it('starts it anyway only when FRP_ALLOW_WITHOUT_CA says so, with a warning', async () => {
    const logger = new CapturingLogger();
    const frpc = new FrpClient(
      { ...settings, certsDir: '/nonexistent/certs', allowWithoutCa: true },
      { binary: 'true', logger, restartDelayMs: 60_000 },
    );
    await frpc.start();
    expect(frpc.state).not.toBe('refused');
    expect(logger.entries.some((e) => e.level === 'warn' && /without HaRP's CA/.test(e.msg ?? ''))).toBe(
      true,
    );
    await frpc.stop();
  });
});
