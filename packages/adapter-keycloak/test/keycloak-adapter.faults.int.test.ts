// The Keycloak adapter when Keycloak misbehaves: wrong admin credentials, nothing listening, a
// server that never answers, a caller that aborts. Every call fails as a core error, in time.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';

const server = inject('keycloakServers')[0]!;

describe('Keycloak adapter: faults', () => {
  let silent: Server;
  let silentPort = 0;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => sockets.add(socket)); // accepts connections, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('names the settings to fix when the admin credentials are wrong', async () => {
    const http = new KeycloakHttp({
      baseUrl: server.baseUrl,
      admin: { kind: 'client', clientId: server.adminClientId, clientSecret: new Secret('wrong') },
    });
    await expect(new KeycloakIdentityProvider(http, 'master').findUserByUsername('x')).rejects.toMatchObject({
      code: 'UPSTREAM_UNAUTHORIZED',
      message: expect.stringContaining('KC_BOOTSTRAP_ADMIN_CLIENT_SECRET'),
    });
  });

  it('fails fast and retryably when Keycloak is unreachable', async () => {
    const http = new KeycloakHttp({
      baseUrl: 'http://127.0.0.1:1',
      admin: { kind: 'client', clientId: 'a', clientSecret: new Secret('b') },
      requestTimeoutMs: 2_000,
    });
    const started = Date.now();
    await expect(
      new KeycloakIdentityProvider(http, 'r').findUserByNextcloudId('alice'),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('times out instead of hanging when Keycloak does not answer', async () => {
    const http = new KeycloakHttp({
      baseUrl: `http://127.0.0.1:${silentPort}`,
      admin: { kind: 'client', clientId: 'a', clientSecret: new Secret('b') },
      requestTimeoutMs: 500,
    });
    await expect(
      new KeycloakIdentityProvider(http, 'r').passwordGrant({
        clientId: 'c',
        username: 'u',
        password: new Secret('p'),
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', retryable: true });
  });

  it('stops when the caller aborts', async () => {
    const http = new KeycloakHttp({
      baseUrl: `http://127.0.0.1:${silentPort}`,
      admin: { kind: 'client', clientId: 'a', clientSecret: new Secret('b') },
      requestTimeoutMs: 30_000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      new KeycloakIdentityProvider(http, 'r').findUserByUsername('x', { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
