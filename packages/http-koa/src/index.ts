export { buildServer, type BuildOptions, type ServerContext } from './server.js';
export { createApp, type AppParts } from './app.js';
export { KeycloakReadiness, type KeycloakState } from './lifecycle/keycloak-readiness.js';
export { SyncJobs, type SyncJob } from './lifecycle/sync-jobs.js';
export { OPENAPI_DOCUMENT, type OpenApiDocument } from './openapi.js';
export { exAppApiRouter, exAppApiRouterWith, type ExAppApiDeps } from './routes/api.routes.js';
export { TokenEndpoint, type TokenEndpointDeps, type TokenRequest } from './http/token-endpoint.js';
export { tokenFastLane, type FastLane } from './http/token-fast-lane.js';
export { signInBrokerRouter, signInBrowserRouter, type SignInBrowserDeps } from './routes/sign-in.routes.js';
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
  type SignInBrokerCaller,
  type EmptyUserMeans,
} from './http/caller.js';
export { keycloakProxy } from './routes/keycloak-proxy.js';
export { ServerMetrics } from './metrics.js';
export { createHttpServer } from './http/http-server.js';
export { probeHeartbeat, type HeartbeatTarget } from './heartbeat-probe.js';
