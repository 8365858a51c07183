import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import type { TypedContainer } from '@inversifyjs/strongly-typed';
import {
  BOOTSTRAP_REALM,
  INITIALIZE_EXAPP,
  CHEAP_SYNC_PASS,
  SYNC_ALL_USERS,
} from '@keycloak-exapp/core/wiring';
import {
  CLOCK,
  type BootstrapRealm,
  type InitializeExApp,
  type CheapSyncPass,
  type SyncAllUsers,
  LOGGER,
  PROCESS_SUPERVISOR,
  SyncScheduler,
  USER_DIRECTORY,
  type Clock,
  type Logger,
  type ProcessSupervisor,
  type UserDirectory,
} from '@keycloak-exapp/core';
import type { AppApiClient, AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import { APP_API_CLIENT, APP_API_VERIFIER } from '@keycloak-exapp/adapter-nextcloud/wiring';
import {
  ConsumerRegistry,
  buildConsumers,
  type ConsumerSettings,
  type ExAppBindings,
} from '@keycloak-exapp/composition';
import { AuthFailureLimiter } from './http/auth-failure-limiter.js';
import { CacheHitLog } from './http/cache-hit-log.js';
import type { CallerAuth } from './http/caller.js';
import { ExAppLifecycle, type TopMenu } from './lifecycle/exapp-lifecycle.js';
import { InitMarker } from './lifecycle/init-marker.js';
import { KeycloakReadiness } from './lifecycle/keycloak-readiness.js';
import { NextcloudAdminCheck } from './lifecycle/nextcloud-admin-check.js';
import { SyncJobs } from './lifecycle/sync-jobs.js';
import { SyncPasses } from './lifecycle/sync-passes.js';
import { ServerMetrics } from './metrics.js';

export const SERVER_METRICS: unique symbol = Symbol.for('@keycloak-exapp/http-koa.ServerMetrics');
export const CALLER_AUTH: unique symbol = Symbol.for('@keycloak-exapp/http-koa.CallerAuth');
export const CACHE_HIT_LOG: unique symbol = Symbol.for('@keycloak-exapp/http-koa.CacheHitLog');
export const KEYCLOAK_READINESS: unique symbol = Symbol.for('@keycloak-exapp/http-koa.KeycloakReadiness');
export const NEXTCLOUD_ADMIN_CHECK: unique symbol = Symbol.for(
  '@keycloak-exapp/http-koa.NextcloudAdminCheck',
);
export const SERVER_LIFETIME: unique symbol = Symbol.for('@keycloak-exapp/http-koa.ServerLifetime');
export const SYNC_JOBS: unique symbol = Symbol.for('@keycloak-exapp/http-koa.SyncJobs');
export const SYNC_PASSES: unique symbol = Symbol.for('@keycloak-exapp/http-koa.SyncPasses');
export const SYNC_SCHEDULER: unique symbol = Symbol.for('@keycloak-exapp/http-koa.SyncScheduler');
export const EXAPP_LIFECYCLE: unique symbol = Symbol.for('@keycloak-exapp/http-koa.ExAppLifecycle');

/** What `serverModule` binds on top of the ExApp's graph. */
export interface ServerBindings {
  [SERVER_METRICS]: ServerMetrics;
  [CALLER_AUTH]: CallerAuth;
  [CACHE_HIT_LOG]: CacheHitLog;
  [KEYCLOAK_READINESS]: KeycloakReadiness;
  [NEXTCLOUD_ADMIN_CHECK]: NextcloudAdminCheck;
  /** Aborted at shutdown: init, resume, enable and sync jobs stop with it. */
  [SERVER_LIFETIME]: AbortController;
  [SYNC_JOBS]: SyncJobs;
  /** Every sync pass, timed and counted; the last of each kind for the status view. */
  [SYNC_PASSES]: SyncPasses;
  [SYNC_SCHEDULER]: SyncScheduler;
  [EXAPP_LIFECYCLE]: ExAppLifecycle;
}
export type ServerContainer = TypedContainer<ExAppBindings & ServerBindings>;

export interface ServerModuleSettings {
  readonly storage: string;
  readonly consumers: ConsumerSettings;
  readonly authFailuresPerMinute: number;
  /**
   * Whether a signed request's `X-Origin-IP` names the client: true behind the classic proxy,
   * which sets it; false behind HaRP, which passes a client's own header through.
   */
  readonly trustOriginIp: boolean;
  readonly reconcile: { readonly intervalMs: number; readonly fullEvery: number };
  readonly stopKeycloakOnDisable: boolean;
  /** How long starting or restarting Keycloak still counts as healthy. */
  readonly keycloakUnhealthyAfterMs: number;
  readonly topMenu: TopMenu;
}

const OPTIONAL_SUPERVISOR = { serviceIdentifier: PROCESS_SUPERVISOR, optional: true } as const;

/** The server's own objects: who may call, readiness, metrics, jobs, the reconcile loop, the lifecycle. */
export function serverModule(settings: ServerModuleSettings): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SERVER_LIFETIME)
      .toResolvedValue(() => new AbortController())
      .inSingletonScope();
    bind(KEYCLOAK_READINESS)
      .toResolvedValue(
        (supervisor?: ProcessSupervisor) =>
          new KeycloakReadiness(supervisor, { graceMs: settings.keycloakUnhealthyAfterMs }),
        [OPTIONAL_SUPERVISOR],
      )
      .inSingletonScope();
    bind(SERVER_METRICS)
      .toResolvedValue(
        (supervisor?: ProcessSupervisor) =>
          new ServerMetrics(() => ({
            state: supervisor ? supervisor.status().state : 'external',
            restarts: supervisor ? supervisor.status().restarts : 0,
          })),
        [OPTIONAL_SUPERVISOR],
      )
      .inSingletonScope();
    bind(CALLER_AUTH)
      .toResolvedValue(
        (verifier: AppApiRequestVerifier, logger: Logger): CallerAuth => {
          const { consumers, warnings } = buildConsumers(settings.consumers);
          for (const warning of warnings) logger.warn({ setting: 'KEYCLOAK_API_SECRET' }, warning);
          return {
            verifier,
            consumers: new ConsumerRegistry(consumers),
            limiter: new AuthFailureLimiter(settings.authFailuresPerMinute),
            trustOriginIp: settings.trustOriginIp,
          };
        },
        [APP_API_VERIFIER, LOGGER],
      )
      .inSingletonScope();
    bind(CACHE_HIT_LOG)
      .toResolvedValue((logger: Logger) => new CacheHitLog(logger), [LOGGER])
      .inSingletonScope();
    bind(NEXTCLOUD_ADMIN_CHECK)
      .toResolvedValue(
        (directory: UserDirectory, clock: Clock) => new NextcloudAdminCheck(directory, clock),
        [USER_DIRECTORY, CLOCK],
      )
      .inSingletonScope();
    bind(SYNC_JOBS)
      .toResolvedValue((clock: Clock) => new SyncJobs({ clock }), [CLOCK])
      .inSingletonScope();
    bind(SYNC_PASSES)
      .toResolvedValue(
        (clock: Clock, logger: Logger, metrics: ServerMetrics, appApi: AppApiClient) =>
          new SyncPasses({
            clock,
            logger,
            metrics,
            nextcloudLog: (level, message) => appApi.log(level, message),
          }),
        [CLOCK, LOGGER, SERVER_METRICS, APP_API_CLIENT],
      )
      .inSingletonScope();
    bind(SYNC_SCHEDULER)
      .toResolvedValue(
        (
          clock: Clock,
          logger: Logger,
          readiness: KeycloakReadiness,
          passes: SyncPasses,
          syncAllUsers: SyncAllUsers,
          reconcileUsers: CheapSyncPass,
        ) =>
          new SyncScheduler({
            clock,
            logger,
            intervalMs: settings.reconcile.intervalMs,
            fullEvery: settings.reconcile.fullEvery,
            run: async (kind, signal) => {
              readiness.assertReady();
              if (kind === 'full')
                // Every n-th pass compares with Keycloak itself and repairs drift.
                await passes.observe('full', 'schedule', () =>
                  syncAllUsers.execute({ verify: true }, { signal }),
                );
              else await passes.observe('cheap', 'schedule', () => reconcileUsers.execute({ signal }));
            },
          }),
        [CLOCK, LOGGER, KEYCLOAK_READINESS, SYNC_PASSES, SYNC_ALL_USERS, CHEAP_SYNC_PASS],
      )
      .inSingletonScope();
    bind(EXAPP_LIFECYCLE)
      .toResolvedValue(
        (
          supervisor: ProcessSupervisor | undefined,
          initialize: InitializeExApp,
          bootstrapRealm: BootstrapRealm,
          appApi: AppApiClient,
          readiness: KeycloakReadiness,
          scheduler: SyncScheduler,
          passes: SyncPasses,
          logger: Logger,
          clock: Clock,
          lifetime: AbortController,
        ) =>
          new ExAppLifecycle({
            passes,
            supervisor,
            initialize,
            bootstrapRealm,
            appApi,
            readiness,
            scheduler,
            marker: new InitMarker(join(settings.storage, 'initialized')),
            logger,
            clock,
            lifetime,
            settings: { stopKeycloakOnDisable: settings.stopKeycloakOnDisable, topMenu: settings.topMenu },
          }),
        [
          OPTIONAL_SUPERVISOR,
          INITIALIZE_EXAPP,
          BOOTSTRAP_REALM,
          APP_API_CLIENT,
          KEYCLOAK_READINESS,
          SYNC_SCHEDULER,
          SYNC_PASSES,
          LOGGER,
          CLOCK,
          SERVER_LIFETIME,
        ],
      )
      .inSingletonScope();
  });
}
