// "@keycloak-exapp/adapter-keycloak/wiring": binds the IdentityProvider (and, in embedded mode,
// the ProcessSupervisor) port tokens. inversify is an optional peer; only this file loads it.
import { ContainerModule } from 'inversify';
import { IDENTITY_PROVIDER, PROCESS_SUPERVISOR, type ProcessSupervisor } from '@keycloak-exapp/core';
import { KeycloakHttp, type KeycloakConnection } from './keycloak.http.js';
import {
  KeycloakIdentityProvider,
  type KeycloakIdentityProviderOptions,
} from './keycloak-identity-provider.js';

export interface KeycloakModuleConfig {
  readonly connection: KeycloakConnection;
  readonly realm: string;
  /** The supervisor of an embedded Keycloak; absent for an external one. */
  readonly supervisor?: ProcessSupervisor | undefined;
  readonly maxConcurrentGrants?: KeycloakIdentityProviderOptions['maxConcurrentGrants'];
  readonly maxQueuedGrants?: KeycloakIdentityProviderOptions['maxQueuedGrants'];
}

export function keycloakModule(config: KeycloakModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const http = new KeycloakHttp(config.connection);
    const { maxConcurrentGrants, maxQueuedGrants } = config;
    bind(IDENTITY_PROVIDER).toConstantValue(
      new KeycloakIdentityProvider(http, config.realm, {
        ...(maxConcurrentGrants ? { maxConcurrentGrants } : {}),
        ...(maxQueuedGrants ? { maxQueuedGrants } : {}),
      }),
    );
    if (config.supervisor) bind(PROCESS_SUPERVISOR).toConstantValue(config.supervisor);
  });
}
