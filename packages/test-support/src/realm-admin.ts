import { randomBytes } from 'node:crypto';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import type { KeycloakServerInfo } from './keycloak-test-server.js';

export function adminHttp(server: KeycloakServerInfo): KeycloakHttp {
  return new KeycloakHttp({
    baseUrl: server.baseUrl,
    admin: {
      kind: 'client',
      clientId: server.adminClientId,
      clientSecret: new Secret(server.adminClientSecret),
    },
    requestTimeoutMs: 30_000,
  });
}

export function uniqueRealm(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** An identity provider on its own realm, and the admin calls a test needs around it. */
export function realmHarness(server: KeycloakServerInfo, realm: string) {
  const http = adminHttp(server);
  const port = new KeycloakIdentityProvider(http, realm);
  return {
    http,
    port,
    async addUnmanagedUser(username: string): Promise<void> {
      await http.admin('POST', `admin/realms/${realm}/users`, {
        json: { username, enabled: true },
        what: 'create unmanaged user',
      });
    },
    async deleteRealm(): Promise<void> {
      await http
        .admin('DELETE', `admin/realms/${realm}`, { what: 'delete realm', timeoutMs: 180_000 })
        .catch(() => undefined);
    },
  };
}
