export { buildServer, type BuildOptions, type ServerContext } from './server.js';
export {
  EMBEDDED_ADMIN_CLIENT_ID,
  KEYCLOAK_CONSOLE_ADMIN,
  KEYCLOAK_RUNTIME_FILE,
  RUNTIME_CLIENT_ID,
} from './keycloak-connection.js';
export { loadEnv, envSchema, type ServerEnv } from './env.js';
export { createApp, type AppParts } from './app.js';
export {
  ConsumerRegistry,
  PUBLIC_DEFAULT_SECRETS,
  buildConsumers,
  type Consumer,
  type ConsumerGrant,
  type Operation,
} from './consumers.js';
export {
  loadOrCreateSecrets,
  saveSecrets,
  newSecret,
  SECRETS_FILE,
  type PersistentSecrets,
} from './persistent-secrets.js';
export { KeycloakReadiness, type KeycloakState } from './lifecycle/keycloak-readiness.js';
export { keycloakPublicBase, type KeycloakPublicBase, type PublicBaseSettings } from './public-base.js';
export { SyncJobs, type SyncJob } from './lifecycle/sync-jobs.js';
export { OPENAPI_DOCUMENT } from './openapi.js';
export { exAppApiRouter, type ExAppApiDeps } from './routes/api.routes.js';
export { audited } from './http/audit.js';
export { CacheHitLog } from './http/cache-hit-log.js';
export { errorHandler } from './middleware/error-handler.js';
export { requestContext } from './middleware/request-context.js';
export { FrpClient, frpcConfig, type FrpClientState, type FrpSettings } from './frp-client.js';
export { NextcloudAdminCheck } from './lifecycle/nextcloud-admin-check.js';
export { AuthFailureLimiter } from './http/auth-failure-limiter.js';
export {
  authenticate,
  describeCaller,
  type Caller,
  type CallerAuth,
  type EmptyUserMeans,
} from './http/caller.js';
export { keycloakProxy } from './routes/keycloak-proxy.js';
export { ServerMetrics } from './metrics.js';
export { createHttpServer } from './http/http-server.js';
export { keycloakSettingsSchema } from './settings/keycloak.settings.js';
export { appApiSettingsForToolsSchema } from './settings/app-api.settings.js';
export { syncSettingsSchema } from './settings/sync.settings.js';
export {
  tokenApiSettingsSchema,
  consumerListSchema,
  type ConsumerSpec,
} from './settings/token-api.settings.js';
export {
  createExAppContainer,
  resolveUseCases,
  type ExAppUseCases,
  type ExAppBindings,
  type ExAppContainer,
  type ExAppGraphSettings,
} from './composition-root.js';
export { FileSyncDigestStore } from './sync-digest-file.js';
export { SecretsFilePasswordVault } from './password-key-file.js';
export { appApiConnection, sharedGraphSettings } from './settings/graph-settings.js';
