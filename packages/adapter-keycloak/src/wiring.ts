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
import type { RuntimeAccount } from './runtime-account.js';

/** Keycloak's admin HTTP client: one per container, so its admin token is fetched once and shared. */
export const KEYCLOAK_HTTP: unique symbol = Symbol.for('@keycloak-exapp/adapter-keycloak.KeycloakHttp');

/** What `keycloakModule` binds, for a typed container (type-only: no runtime dependency). */
export interface KeycloakBindings {
  [KEYCLOAK_HTTP]: KeycloakHttp;
  [IDENTITY_PROVIDER]: IdentityProvider;
  [PROCESS_SUPERVISOR]: ProcessSupervisor;
}

export interface KeycloakModuleConfig {
  /** The admin credentials: setup's when `runtimeAccount` is given, else everything's. */
  readonly connection: KeycloakConnection;
  /**
   * Least privilege: the running server acts as this account of the realm (its users, groups,
   * passwords and sessions only); `connection` is then used for the realm reconcile alone.
   */
  readonly runtimeAccount?: RuntimeAccount | undefined;
  readonly realm: string;
  /** The supervisor of an embedded Keycloak (a running process, made outside); absent for an external one. */
  readonly supervisor?: ProcessSupervisor | undefined;
  readonly maxConcurrentGrants?: KeycloakIdentityProviderOptions['maxConcurrentGrants'];
  readonly maxQueuedGrants?: KeycloakIdentityProviderOptions['maxQueuedGrants'];
}

export function keycloakModule(config: KeycloakModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const { maxConcurrentGrants, maxQueuedGrants } = config;
    const { runtimeAccount } = config;
    // The running account's client: the runtime account of the realm, or the admin credentials.
    bind(KEYCLOAK_HTTP)
      .toResolvedValue(
        () =>
          new KeycloakHttp(
            runtimeAccount
              ? {
                  ...config.connection,
                  admin: {
                    kind: 'client',
                    clientId: runtimeAccount.clientId,
                    clientSecret: runtimeAccount.secret,
                    realm: config.realm,
                  },
                }
              : config.connection,
          ),
      )
      .inSingletonScope();
    bind(IDENTITY_PROVIDER)
      .toResolvedValue(
        (http: KeycloakHttp) =>
          new KeycloakIdentityProvider(http, config.realm, {
            ...(maxConcurrentGrants ? { maxConcurrentGrants } : {}),
            ...(maxQueuedGrants ? { maxQueuedGrants } : {}),
            ...(runtimeAccount
              ? { setup: { http: new KeycloakHttp(config.connection), runtimeAccount } }
              : {}),
          }),
        [KEYCLOAK_HTTP],
      )
      .inSingletonScope();
    if (config.supervisor) bind(PROCESS_SUPERVISOR).toConstantValue(config.supervisor);
  });
}
