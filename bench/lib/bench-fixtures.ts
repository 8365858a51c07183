// What every bench sets up the same way: the directory it syncs and its admin client on Keycloak.
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp } from '@keycloak-exapp/adapter-keycloak';
import type { KeycloakServerInfo } from '@keycloak-exapp/test-support';

/** `n` Nextcloud users `u0`…; `generation` > 0 renames every hundredth (the "1 % changed" phase). */
export const directoryUsers = (n: number, generation = 0) =>
  Array.from({ length: n }, (_, i) => ({
    id: `u${i}`,
    displayName: `First${i} Last${i}${generation && i % 100 === 0 ? ` v${generation}` : ''}`,
    email: `u${i}@example.test`,
    groups: [`team${i % 20}`],
  }));

/** The bench's admin client on its Keycloak (long timeouts: realm creation and imports are heavy). */
export function benchAdminHttp(info: KeycloakServerInfo): KeycloakHttp {
  return new KeycloakHttp({
    baseUrl: info.baseUrl,
    admin: { kind: 'client', clientId: info.adminClientId, clientSecret: new Secret(info.adminClientSecret) },
    requestTimeoutMs: 120_000,
  });
}
