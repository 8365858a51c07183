import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { LOGGER, Secret, SignInWithNextcloud, systemClock, type Logger } from '@keycloak-exapp/core';
import {
  DEFAULT_KEYCLOAK_VERSION,
  type KeycloakConnection,
  type KeycloakProcessSupervisor,
} from '@keycloak-exapp/adapter-keycloak';
import type Koa from 'koa';
import { createApp } from './app.js';
import {
  FileSyncJournal,
  SECRETS_FILE,
  SecretsFilePasswordVault,
  appApiConnection,
  connectKeycloak,
  createExAppContainer,
  createLogger,
  keycloakPublicBase,
  loadOrCreateSecrets,
  resolveUseCases,
  runtimeAccountOnVolume,
  sharedGraphSettings,
  signInWiring,
  withSignInEndpoints,
  type SharedGraphSettings,
  type SignInWiring,
  type KeycloakPublicBase,
  type PersistentSecrets,
  type ServerEnv,
} from '@keycloak-exapp/composition';
import { serverListener } from './http/server-listener.js';
import { authenticate } from './http/caller.js';
import { FrpClient } from './frp-client.js';
import type { ExAppLifecycle } from './lifecycle/exapp-lifecycle.js';
import type { KeycloakReadiness } from './lifecycle/keycloak-readiness.js';
import { exAppApiRouterWith, keycloakManagementRoutes, metricsRoutes } from './routes/api.routes.js';
import { TokenEndpoint } from './http/token-endpoint.js';
import { tokenFastLane, type FastLane } from './http/token-fast-lane.js';
import { keycloakProxy } from './routes/keycloak-proxy.js';
import { lifecycleRoutes } from './routes/lifecycle.routes.js';
import { statusRoutes } from './routes/status.routes.js';
import { uiRoutes } from './routes/ui.routes.js';
import { signInBrokerRouter, signInBrowserRouter } from './routes/sign-in.routes.js';
import { openSignInListener } from './http/sign-in-listener.js';
import {
  CACHE_HIT_LOG,
  CALLER_AUTH,
  EXAPP_LIFECYCLE,
  KEYCLOAK_READINESS,
  NEXTCLOUD_ADMIN_CHECK,
  SERVER_LIFETIME,
  SERVER_METRICS,
  SYNC_JOBS,
  SYNC_PASSES,
  serverModule,
  type ServerContainer,
} from './server-module.js';

export interface ServerContext {
  readonly app: Koa;
  readonly lifecycle: ExAppLifecycle;
  readonly readiness: KeycloakReadiness;
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

/** The ExApp server: settings → secrets → Keycloak → the one object graph → Koa app → listener. */
export async function buildServer(env: ServerEnv, opts: BuildOptions = {}): Promise<ServerContext> {
  const logger = createLogger(env.LOG_LEVEL, opts.logDestination);
  const storage = resolve(env.APP_PERSISTENT_STORAGE);
  const secrets = await loadOrCreateSecrets(storage, logger);
  const publicBase = announcePublicBase(env, logger);
  const { supervisor, connection } = await connectKeycloak(env, {
    storage,
    secrets,
    publicBase,
    logger,
    keycloakEnv: opts.keycloakEnv,
  });
  const shared = await sharedGraphSettings(env);
  const signInListener = await openSignInListener(env, logger);
  const signInWired = signInFor(env, shared, publicBase, secrets, signInListener?.url, logger);
  const container = composeServer(env, {
    logger,
    storage,
    secrets,
    supervisor,
    connection,
    shared,
    signIn: signInWired,
  });
  // The token path's directory check, resolved once (the container's use cases are singletons).
  const { issueToken } = await resolveUseCases(container);
  const signIn = signInWired && {
    wiring: signInWired,
    useCase: new SignInWithNextcloud({
      client: signInWired.client,
      checkUser: (userId, opts) => issueToken.checkUser(userId, opts),
      clock: systemClock,
    }),
  };
  if (signIn && signInListener) {
    const brokerApp = createApp({ logger, routers: [signInBrokerRouter(signIn.useCase)] }).callback();
    signInListener.serve((req, res) => void brokerApp(req, res));
  }
  let frpc: FrpClient | undefined;
  const { app, fastLane } = await createServerApp(env, container, {
    publicClients: new Set(shared.realmSpec.clients.filter((c) => c.publicClient).map((c) => c.clientId)),
    signIn,
    publicBase,
    connection,
    keycloakManagementUrl: supervisor?.managementUrl ?? env.KEYCLOAK_MANAGEMENT_URL?.replace(/\/$/, ''),
    frpcState: () => (frpc ? { state: frpc.state, reason: frpc.reason } : undefined),
  });
  const lifecycle = await container.getAsync(EXAPP_LIFECYCLE);
  const listener = serverListener(env, app, fastLane, logger, (client) => (frpc = client));

  return {
    app,
    lifecycle,
    readiness: await container.getAsync(KEYCLOAK_READINESS),
    logger,
    supervisor,
    keycloakUrl: connection.baseUrl,
    get frpc() {
      return frpc;
    },
    listen: () => listener.listen(),
    async close() {
      await listener.close(async () => {
        await signInListener?.close();
        await frpc?.stop();
        await lifecycle.shutdown();
        (await container.getAsync(CACHE_HIT_LOG)).close();
      });
    },
  };
}

function announcePublicBase(env: ServerEnv, logger: Logger): KeycloakPublicBase {
  const publicBase = keycloakPublicBase(env);
  logger.info(
    { publicBase: publicBase.url, source: publicBase.source },
    "Keycloak's public base URL (issuer prefix)",
  );
  return publicBase;
}

/** Sign in with Nextcloud as the realm file asks, or nothing (and why, in the log). */
function signInFor(
  env: ServerEnv,
  shared: SharedGraphSettings,
  publicBase: KeycloakPublicBase,
  secrets: PersistentSecrets,
  internalUrl: string | undefined,
  logger: Logger,
): SignInWiring | undefined {
  const result = signInWiring(shared.realmSpec, env, publicBase, secrets.signInClientSecret, internalUrl);
  if (result.wiring)
    logger.info(
      {
        authorizationUrl: result.wiring.endpoints.authorizationUrl,
        tokenUrl: result.wiring.endpoints.tokenUrl,
      },
      'sign in with Nextcloud: Keycloak brokers to these endpoints',
    );
  else logger.warn({ reason: result.reason }, 'sign in with Nextcloud is off');
  return result.wiring;
}

interface ComposeParts {
  readonly shared: SharedGraphSettings;
  readonly signIn: SignInWiring | undefined;
  readonly logger: Logger;
  readonly storage: string;
  readonly secrets: PersistentSecrets;
  readonly supervisor: KeycloakProcessSupervisor | undefined;
  readonly connection: KeycloakConnection;
}

/** The settings, mapped once onto the shared composition root plus the server's own module. */
function composeServer(env: ServerEnv, parts: ComposeParts): ServerContainer {
  // The server's module is loaded into the same container right below.
  const container: ServerContainer = createExAppContainer({
    ...parts.shared,
    realmSpec: withSignInEndpoints(parts.shared.realmSpec, parts.signIn?.endpoints),
    logger: parts.logger,
    passwordKey: new Secret(parts.secrets.passwordKey),
    // Follows the secrets file, so a rotated password key reaches the running server.
    passwordVault: async () =>
      (
        await SecretsFilePasswordVault.open(
          join(parts.storage, SECRETS_FILE),
          new Secret(parts.secrets.passwordKey),
          parts.logger,
        )
      ).watch(),
    keycloak: {
      connection: parts.connection,
      runtimeAccount: runtimeAccountOnVolume(parts.storage, parts.secrets, parts.logger),
      realm: env.KEYCLOAK_REALM,
      supervisor: parts.supervisor,
      maxQueuedGrants: env.TOKEN_QUEUE_MAX,
    },
    users: { nextcloud: { connection: appApiConnection(env), actingUser: env.NEXTCLOUD_ACTING_USER } },
    syncJournal: () =>
      new FileSyncJournal(join(parts.storage, `sync-digest.${env.KEYCLOAK_REALM}.json`), env.KEYCLOAK_REALM),
  });
  container.load(
    serverModule({
      storage: parts.storage,
      consumers: {
        consumers: env.KEYCLOAK_API_CONSUMERS,
        apiSecret: env.KEYCLOAK_API_SECRET,
        generatedSecret: parts.secrets.consumerSecret,
        allowedClientIds: env.KEYCLOAK_ALLOWED_CLIENTS,
        allowPublicDefault: env.KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET,
      },
      authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE,
      trustOriginIp: (env.NEXTCLOUD_PROXY ?? (env.HP_SHARED_KEY ? 'harp' : 'classic')) === 'classic',
      reconcile: { intervalMs: env.SYNC_INTERVAL_SECONDS * 1000, fullEvery: env.SYNC_FULL_EVERY },
      stopKeycloakOnDisable: env.KEYCLOAK_STOP_ON_DISABLE,
      keycloakUnhealthyAfterMs: env.KEYCLOAK_UNHEALTHY_AFTER_SECONDS * 1000,
      topMenu: {
        name: 'keycloak',
        displayName: 'Keycloak',
        icon: 'img/keycloak.svg',
        script: 'js/keycloak-admin',
      },
    }),
  );
  return container;
}

interface AppParts {
  readonly publicClients: ReadonlySet<string>;
  readonly signIn: { readonly wiring: SignInWiring; readonly useCase: SignInWithNextcloud } | undefined;
  readonly publicBase: KeycloakPublicBase;
  readonly connection: KeycloakConnection;
  /** Keycloak's management interface (health, metrics): the embedded one's, or KEYCLOAK_MANAGEMENT_URL. */
  readonly keycloakManagementUrl: string | undefined;
  readonly frpcState: () => { readonly state: string; readonly reason?: string | undefined } | undefined;
}

/**
 * The routes AppAPI, consumers and browsers reach, each from the graph's shared objects, and the
 * token fast lane in front of them.
 */
async function createServerApp(
  env: ServerEnv,
  container: ServerContainer,
  parts: AppParts,
): Promise<{ app: Koa; fastLane: FastLane }> {
  const [auth, readiness, admins, jobs, passes, lifetime, metrics, cacheHitLog, logger] = await Promise.all([
    container.getAsync(CALLER_AUTH),
    container.getAsync(KEYCLOAK_READINESS),
    container.getAsync(NEXTCLOUD_ADMIN_CHECK),
    container.getAsync(SYNC_JOBS),
    container.getAsync(SYNC_PASSES),
    container.getAsync(SERVER_LIFETIME),
    container.getAsync(SERVER_METRICS),
    container.getAsync(CACHE_HIT_LOG),
    container.getAsync(LOGGER),
  ]);
  const { issueToken, syncUser, deleteUser, syncAllUsers } = await resolveUseCases(container);
  const apiDeps = {
    metrics,
    cacheHitLog,
    issueToken,
    syncUser,
    deleteUser,
    authenticate: (ctx: Koa.Context) => authenticate(ctx, auth),
    isAdmin: (userId: string, signal: AbortSignal) => admins.isAdmin(userId, signal),
    assertReady: () => readiness.assertReady(),
    assertTokenReady: () => readiness.assertRealmReady(),
    userTokenClients: new Set(env.KEYCLOAK_USER_TOKEN_CLIENTS),
    publicClients: parts.publicClients,
    syncJobs: {
      start: (options?: { readonly verify: boolean }) =>
        jobs.start(() =>
          passes.observe('full', 'request', () =>
            syncAllUsers.execute({ verify: options?.verify ?? false }, { signal: lifetime.signal }),
          ),
        ),
      get: (id: string) => jobs.get(id),
    },
  };
  const { publicBase } = parts;
  const tokens = new TokenEndpoint(apiDeps);
  const app = createApp({
    logger,
    // The token API first: consumers call it most, and no other router takes its paths.
    routers: [
      exAppApiRouterWith(apiDeps, tokens),
      lifecycleRoutes(
        await container.getAsync(EXAPP_LIFECYCLE),
        readiness,
        auth,
        env.APP_VERSION,
        parts.frpcState,
      ),
      metricsRoutes(apiDeps),
      statusRoutes({
        ...apiDeps,
        readiness,
        keycloakVersion:
          env.KEYCLOAK_MODE === 'embedded' ? (env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION) : undefined,
        realm: env.KEYCLOAK_REALM,
        issuer: `${publicBase.url.replace(/\/$/, '')}/realms/${env.KEYCLOAK_REALM}`,
        consumers: () => auth.consumers.grants(),
        passes,
      }),
      keycloakManagementRoutes({
        ...apiDeps,
        managementUrl: parts.keycloakManagementUrl,
        assertRunning: () => readiness.assertRunning(),
      }),
      ...(parts.signIn
        ? [
            signInBrowserRouter({
              signIn: parts.signIn.useCase,
              auth,
              nextcloudLoginUrl: parts.signIn.wiring.nextcloudLoginUrl,
              authorizePathThroughProxy: parts.signIn.wiring.authorizePathThroughProxy,
              assertReady: () => readiness.assertRealmReady(),
            }),
          ]
        : []),
      // The console through the classic proxy cannot log in (it keeps one Set-Cookie): only an
      // explicit or HaRP base is handed to the top-menu loader.
      uiRoutes(
        env.APP_ID,
        env.KC_HOSTNAME_ADMIN ?? (publicBase.source === 'classic' ? undefined : publicBase.url),
      ),
    ],
    fallthrough: keycloakProxy({
      target: parts.connection.baseUrl,
      readiness,
      admins,
      auth,
      publicBase: publicBase.url,
      logger,
      passwordGrantClients: env.KEYCLOAK_PROXY_PASSWORD_GRANT_CLIENTS,
      upstreamTimeoutMs: env.KEYCLOAK_PROXY_TIMEOUT_SECONDS * 1000,
      maxBodyBytes: env.KEYCLOAK_PROXY_MAX_BODY_BYTES,
    }),
  });
  return { app, fastLane: tokenFastLane({ tokens, auth, logger }) };
}
