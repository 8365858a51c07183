import { describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { frpcConfig } from '@keycloak-exapp/http-koa';

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
