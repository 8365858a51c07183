// "@keycloak-exapp/adapter-keycloak/wiring": binds the IdentityProvider (and, in embedded mode,
// the ProcessSupervisor) port tokens. inversify is an optional peer; only this file loads it.
import { ContainerModule } from 'inversify';
import {
  IDENTITY_PROVIDER,
  PROCESS_SUPERVISOR,
  type IdentityProvider,
  type ProcessSupervisor,
} from '@keycloak-exapp/core';
import { KeycloakHttp, type KeycloakConnection } from './keycloak.http.js';
import {
  KeycloakIdentityProvider,
  type KeycloakIdentityProviderOptions,
} from './keycloak-identity-provider.js';

/** Keycloak's admin HTTP client: one per container, so its admin token is fetched once and shared. */
export const KEYCLOAK_HTTP: unique symbol = Symbol.for('@keycloak-exapp/adapter-keycloak.KeycloakHttp');

/** What `keycloakModule` binds, for a typed container (type-only: no runtime dependency). */
export interface KeycloakBindings {
  [KEYCLOAK_HTTP]: KeycloakHttp;
  [IDENTITY_PROVIDER]: IdentityProvider;
  [PROCESS_SUPERVISOR]: ProcessSupervisor;
}

export interface KeycloakModuleConfig {
  readonly connection: KeycloakConnection;
  readonly realm: string;
  /** The supervisor of an embedded Keycloak (a running process, made outside); absent for an external one. */
  readonly supervisor?: ProcessSupervisor | undefined;
  readonly maxConcurrentGrants?: KeycloakIdentityProviderOptions['maxConcurrentGrants'];
  readonly maxQueuedGrants?: KeycloakIdentityProviderOptions['maxQueuedGrants'];
}

export function keycloakModule(config: KeycloakModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const { maxConcurrentGrants, maxQueuedGrants } = config;
    bind(KEYCLOAK_HTTP)
      .toResolvedValue(() => new KeycloakHttp(config.connection))
      .inSingletonScope();
    bind(IDENTITY_PROVIDER)
      .toResolvedValue(
        (http: KeycloakHttp) =>
          new KeycloakIdentityProvider(http, config.realm, {
            ...(maxConcurrentGrants ? { maxConcurrentGrants } : {}),
            ...(maxQueuedGrants ? { maxQueuedGrants } : {}),
          }),
        [KEYCLOAK_HTTP],
      )
      .inSingletonScope();
    if (config.supervisor) bind(PROCESS_SUPERVISOR).toConstantValue(config.supervisor);
  });
}
