// The token-endpoint limits of the adapter against the real Keycloak: a counting pass-through in
// front of it sees how many grants are in flight at once (it forwards every request unchanged).
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Secret, toManagedUserSpec } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider, loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

const server = inject('keycloakServers')[0]!;
const realm = uniqueRealm('grants');
const h = realmHarness(server, realm);
const counts = { grants: 0, inFlight: 0, maxInFlight: 0 };
let passThrough: Server;
let username = '';
const password = new Secret('grant-limit-test-password-0123456789');

beforeAll(async () => {
  await h.port.reconcileRealm(await loadRealmFile(undefined, { realm }));
  const spec = await toManagedUserSpec({
    id: 'grant-user',
    displayName: 'Grant User',
    email: null,
    enabled: true,
    groups: [],
  });
  const user = await h.port.createUser(spec);
  await h.port.setPassword(user.id, password, 'test-key');
  username = user.username;
  const upstream = new URL(server.baseUrl);
  passThrough = createServer((req, res) => {
    const isGrant = req.method === 'POST' && req.url === `/realms/${realm}/protocol/openid-connect/token`;
    if (isGrant) {
      counts.grants++;
      counts.maxInFlight = Math.max(counts.maxInFlight, ++counts.inFlight);
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => {
          if (isGrant) counts.inFlight--;
        });
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => passThrough.listen(0, '127.0.0.1', resolve));
}, 180_000);

afterAll(async () => {
  passThrough?.closeAllConnections();
  await new Promise((resolve) => passThrough?.close(resolve));
  await h.deleteRealm();
});

function providerThroughPassThrough(options: { maxConcurrentGrants: number; maxQueuedGrants?: number }) {
  const http = new KeycloakHttp({
    baseUrl: `http://127.0.0.1:${(passThrough.address() as AddressInfo).port}`,
    admin: {
      kind: 'client',
      clientId: server.adminClientId,
      clientSecret: new Secret(server.adminClientSecret),
    },
    requestTimeoutMs: 60_000,
  });
  return new KeycloakIdentityProvider(http, realm, options);
}

const grants = (idp: KeycloakIdentityProvider, n: number) =>
  Promise.allSettled(
    Array.from({ length: n }, () => idp.passwordGrant({ clientId: 'opentalk', username, password })),
  );

describe('KeycloakIdentityProvider token-endpoint limits (real Keycloak)', () => {
  it('refuses callers beyond maxQueuedGrants at once with OVERLOADED, and serves the rest', async () => {
    counts.grants = 0;
    const idp = providerThroughPassThrough({ maxConcurrentGrants: 2, maxQueuedGrants: 5 });
    const settled = await grants(idp, 20);
    const refused = settled.filter((s) => s.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(13);
    expect(refused.length).toBeLessThanOrEqual(15);
    for (const r of refused) expect(r).toMatchObject({ reason: { code: 'OVERLOADED' } });
    // Every other caller got a real token, and only they reached Keycloak.
    for (const s of settled.filter((x) => x.status === 'fulfilled'))
      expect(s.value.accessToken.split('.')).toHaveLength(3);
    expect(counts.grants).toBe(20 - refused.length);
    expect(idp.queuedGrants).toBe(0);
  }, 120_000);

  it('keeps at most maxConcurrentGrants in flight and serves every caller in the end', async () => {
    counts.grants = 0;
    counts.maxInFlight = 0;
    const idp = providerThroughPassThrough({ maxConcurrentGrants: 3 });
    const settled = await grants(idp, 30);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(30);
    expect(counts.grants).toBe(30);
    expect(counts.maxInFlight).toBe(3);
  }, 120_000);
});
