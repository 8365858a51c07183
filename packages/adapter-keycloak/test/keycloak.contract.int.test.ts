import { inject } from 'vitest';
import { contractRealmSpec, describeIdentityProviderContract } from '@keycloak-exapp/core/testing';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

// The core's IdentityProvider contract against real Keycloak, once per database vendor.
for (const server of inject('keycloakServers')) {
  describeIdentityProviderContract(`Keycloak ${server.version} · ${server.db}`, () => {
    const realm = uniqueRealm('contract');
    const h = realmHarness(server, realm);
    return Promise.resolve({
      port: h.port,
      realmSpec: contractRealmSpec(realm),
      grantClientId: 'contract-grant',
      noGrantClientId: 'contract-browser',
      addUnmanagedUser: (username: string) => h.addUnmanagedUser(username),
      dispose: () => h.deleteRealm(),
    });
  });
}
