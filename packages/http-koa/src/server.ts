import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { Container } from 'inversify';
import {
  CLOCK,
  DerivedPasswordVault,
  LOGGER,
  PASSWORD_VAULT,
  Secret,
  USER_DIRECTORY,
  systemClock,
  type Logger,
  type UserDirectory,
} from '@keycloak-exapp/core';
import {
  BOOTSTRAP_REALM,
  DELETE_USER,
  INITIALIZE_EXAPP,
  ISSUE_TOKEN,
  RECONCILE_USERS,
  SYNC_ALL_USERS,
  SYNC_USER,
  coreModule,
} from '@keycloak-exapp/core/wiring';
import type {
  BootstrapRealm,
  DeleteUser,
  InitializeExApp,
  IssueToken,
  ReconcileUsers,
  SyncAllUsers,
  SyncUser,
} from '@keycloak-exapp/core';
import { loadRealmFile, type KeycloakProcessSupervisor } from '@keycloak-exapp/adapter-keycloak';
import { keycloakModule } from '@keycloak-exapp/adapter-keycloak/wiring';
import { APP_API_CLIENT, APP_API_VERIFIER, nextcloudModule } from '@keycloak-exapp/adapter-nextcloud/wiring';
import type { AppApiClient, AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import type Koa from 'koa';
import { createApp } from './app.js';
import { ConsumerRegistry, buildConsumers } from './consumers.js';
import { AuthFailureLimiter } from './http/auth-failure-limiter.js';
import { createHttpServer } from './http/http-server.js';
import type { ServerEnv } from './env.js';
import { ExAppService } from './exapp-service.js';
import { createLogger } from './logger.js';
import { loadOrCreateSecrets } from './persistent-secrets.js';
import { metricsRoutes, tokenApiRouter } from './routes/api.routes.js';
import { authenticate } from './http/caller.js';
import { CacheHitLog } from './http/cache-hit-log.js';
import { lifecycleRoutes } from './routes/lifecycle.routes.js';
import { uiRoutes } from './routes/ui.routes.js';
import { keycloakProxy } from './routes/keycloak-proxy.js';
import { ServerMetrics } from './metrics.js';
import { keycloakPublicBase } from './public-base.js';
import { FrpClient } from './frp-client.js';
import { connectKeycloak } from './keycloak-connection.js';

export interface ServerContext {
  readonly app: Koa;
  readonly service: ExAppService;
  readonly logger: Logger;
  readonly supervisor: KeycloakProcessSupervisor | undefined;
  readonly keycloakUrl: string;
  /** HaRP's FRP client, in FRP mode once listening. */
  readonly frpc: FrpClient | undefined;
  listen(): Promise<Server>;
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly logDestination?: NodeJS.WritableStream;
  /** Test hook: extra KC_* settings and JVM options for the embedded Keycloak. */
  readonly keycloakEnv?: Readonly<Record<string, string>>;
}

/** The composition root of the ExApp server: settings → adapters → use cases → Koa app. */
export async function buildServer(env: ServerEnv, opts: BuildOptions = {}): Promise<ServerContext> {
  const logger = createLogger(env.LOG_LEVEL, opts.logDestination);
  const storage = resolve(env.APP_PERSISTENT_STORAGE);
  const secrets = await loadOrCreateSecrets(storage);
  const allowedClientIds = env.KEYCLOAK_ALLOWED_CLIENTS.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const { consumers, warnings } = buildConsumers({
    consumersJson: env.KEYCLOAK_API_CONSUMERS,
    apiSecret: env.KEYCLOAK_API_SECRET,
    generatedSecret: secrets.consumerSecret,
    allowedClientIds,
    allowPublicDefault: env.KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET,
  });
  for (const warning of warnings) logger.warn({ setting: 'KEYCLOAK_API_SECRET' }, warning);

  const publicBase = keycloakPublicBase(env);
  logger.info(
    { publicBase: publicBase.url, source: publicBase.source },
    "Keycloak's public base URL (issuer prefix)",
  );

  const { supervisor, connection } = await connectKeycloak(env, {
    storage,
    secrets,
    publicBase,
    logger,
    keycloakEnv: opts.keycloakEnv,
  });

  const redirectUris = env.KEYCLOAK_REDIRECT_URIS;
  const realmSpec = await loadRealmFile(env.KEYCLOAK_REALM_FILE, { realm: env.KEYCLOAK_REALM, redirectUris });

  const container = new Container();
  container.bind(LOGGER).toConstantValue(logger);
  container.bind(CLOCK).toConstantValue(systemClock);
  container
    .bind(PASSWORD_VAULT)
    .toConstantValue(await DerivedPasswordVault.fromKey(new Secret(secrets.passwordKey)));
  container.load(
    coreModule({
      realmSpec,
      isKeycloakSupervised: supervisor !== undefined,
      sync: { concurrency: env.SYNC_CONCURRENCY, deprovisionPolicy: env.DEPROVISION_POLICY },
      token: {
        allowedClientIds,
        directoryTtlMs: env.DIRECTORY_TTL_SECONDS * 1000,
        isTokenCacheEnabled: env.TOKEN_CACHE_ENABLED,
        maxCachedTokenSets: env.TOKEN_CACHE_MAX_ENTRIES,
        deprovisionPolicy: env.DEPROVISION_POLICY,
      },
    }),
    keycloakModule({
      connection,
      realm: env.KEYCLOAK_REALM,
      supervisor: supervisor,
      maxQueuedGrants: env.TOKEN_QUEUE_MAX,
    }),
    nextcloudModule({
      connection: {
        url: env.NEXTCLOUD_URL,
        appId: env.APP_ID,
        appVersion: env.APP_VERSION,
        secret: new Secret(env.APP_SECRET),
        aaVersion: env.AA_VERSION,
        requestTimeoutMs: env.NEXTCLOUD_TIMEOUT_SECONDS * 1000,
      },
      actingUser: env.NEXTCLOUD_ACTING_USER,
    }),
  );

  const appApi = container.get<AppApiClient>(APP_API_CLIENT);
  const metrics = new ServerMetrics(() => ({
    state: supervisor ? supervisor.status().state : 'external',
    restarts: supervisor ? supervisor.status().restarts : 0,
  }));
  const service = new ExAppService({
    supervisor,
    initialize: container.get<InitializeExApp>(INITIALIZE_EXAPP),
    bootstrapRealm: container.get<BootstrapRealm>(BOOTSTRAP_REALM),
    syncAllUsers: container.get<SyncAllUsers>(SYNC_ALL_USERS),
    reconcileUsers: container.get<ReconcileUsers>(RECONCILE_USERS),
    appApi,
    userDirectory: container.get<UserDirectory>(USER_DIRECTORY),
    logger,
    clock: systemClock,
    metrics,
    settings: {
      stopKeycloakOnDisable: env.KEYCLOAK_STOP_ON_DISABLE,
      reconcileIntervalMs: env.SYNC_INTERVAL_SECONDS * 1000,
      reconcileFullEvery: env.SYNC_FULL_EVERY,
      initializedMarker: join(storage, 'initialized'),
      topMenu: {
        name: 'keycloak',
        displayName: 'Keycloak',
        icon: 'img/keycloak.svg',
        script: 'js/keycloak-admin',
      },
    },
  });
  const auth = {
    verifier: container.get<AppApiRequestVerifier>(APP_API_VERIFIER),
    consumers: new ConsumerRegistry(consumers),
    limiter: new AuthFailureLimiter(env.AUTH_FAILURES_PER_MINUTE),
  };
  const cacheHitLog = new CacheHitLog(logger);
  const apiDeps = {
    metrics,
    cacheHitLog,
    issueToken: container.get<IssueToken>(ISSUE_TOKEN),
    syncUser: container.get<SyncUser>(SYNC_USER),
    deleteUser: container.get<DeleteUser>(DELETE_USER),
    authenticate: (ctx: Koa.Context) => authenticate(ctx, auth),
    isAdmin: (userId: string, signal: AbortSignal) => service.isNextcloudAdmin(userId, signal),
    assertReady: () => service.assertReady(),
    syncJobs: { start: () => service.startSyncAll(), get: (id: string) => service.job(id) },
  };
  let frpc: FrpClient | undefined;
  const app = createApp({
    logger,
    routers: [
      lifecycleRoutes(service, auth, env.APP_VERSION, () => frpc?.state),
      tokenApiRouter(apiDeps),
      metricsRoutes(apiDeps),
      // The console through the classic proxy cannot log in (it keeps one Set-Cookie): only an
      // explicit or HaRP base is handed to the top-menu loader.
      uiRoutes(
        env.APP_ID,
        env.KC_HOSTNAME_ADMIN ?? (publicBase.source === 'classic' ? undefined : publicBase.url),
      ),
    ],
    fallthrough: keycloakProxy({
      target: connection.baseUrl,
      service,
      auth,
      publicBase: publicBase.url,
      logger,
    }),
  });

  let server: Server | undefined;
  return {
    app,
    service,
    logger,
    supervisor,
    keycloakUrl: connection.baseUrl,
    get frpc() {
      return frpc;
    },
    async listen() {
      server = createHttpServer(app);
      if (env.HP_SHARED_KEY) {
        if (existsSync(env.HP_EXAPP_SOCK)) await rm(env.HP_EXAPP_SOCK);
        await new Promise<void>((ok) => server!.listen(env.HP_EXAPP_SOCK, ok));
        logger.info({ socket: env.HP_EXAPP_SOCK }, 'listening on the HaRP unix socket');
        // FRP mode: HaRP reaches the socket through its FRP server and our frpc (§1 listening rule).
        if (env.HP_FRP_ADDRESS && env.HP_FRP_PORT) {
          frpc = new FrpClient(
            {
              serverAddress: env.HP_FRP_ADDRESS,
              serverPort: env.HP_FRP_PORT,
              sharedKey: new Secret(env.HP_SHARED_KEY),
              appId: env.APP_ID,
              remotePort: env.APP_PORT,
              socketPath: env.HP_EXAPP_SOCK,
              certsDir: env.FRP_CERTS_DIR,
            },
            { binary: env.FRPC_BINARY, logger },
          );
          await frpc.start();
        }
      } else {
        await new Promise<void>((ok) => server!.listen(env.APP_PORT, env.APP_HOST, ok));
        logger.info({ host: env.APP_HOST, port: (server.address() as { port: number }).port }, 'listening');
      }
      return server;
    },
    async close() {
      const closing = server ? new Promise<void>((ok) => server!.close(() => ok())) : Promise.resolve();
      server?.closeIdleConnections();
      await frpc?.stop();
      await service.shutdown();
      cacheHitLog.close();
      server?.closeAllConnections();
      await closing;
    },
  };
}
