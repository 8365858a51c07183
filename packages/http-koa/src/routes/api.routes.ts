import Router from '@koa/router';
import type { Context } from 'koa';
import {
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UpstreamUnavailableError,
  type DeleteUser,
  type SyncUser,
} from '@keycloak-exapp/core';
import { auditAs, audited } from '../http/audit.js';
import { flagQuerySchema } from '../api-schemas.js';
import { OPENAPI_DOCUMENT } from '../openapi.js';
import type { Caller } from '../http/caller.js';
import { assertJsonIfSession, assertQuery, parseUserId, readJsonObject } from '../http/read-json.js';
import type { Operation } from '@keycloak-exapp/composition';
import type { ServerMetrics } from '../metrics.js';
import type { SyncJob } from '../lifecycle/sync-jobs.js';
import { TokenEndpoint, type TokenEndpointDeps } from '../http/token-endpoint.js';

/**
 * What the token and sync API needs. The ExApp server passes consumer secrets and AppAPI
 * signatures as `authenticate`; a service that embeds the API passes its own authentication and
 * maps its callers to consumers (a name, the client ids and the operations each may use).
 */
export interface ExAppApiDeps extends TokenEndpointDeps {
  readonly syncUser: SyncUser;
  readonly deleteUser: DeleteUser;
  /** Who is calling; throws UNAUTHENTICATED (401) when nobody acceptable is. */
  authenticate(ctx: Context): Caller | Promise<Caller>;
  /** Whether a Nextcloud user may sync and delete; default: no Nextcloud user may. */
  isAdmin?(userId: string, signal: AbortSignal): Promise<boolean>;
  /** Full-sync jobs for `/sync-all`; without them that route answers 404. */
  readonly syncJobs?: {
    /** `verify`: compare with Keycloak itself (repairs drift), not with the saved digest. */
    start(options?: { readonly verify: boolean }): SyncJob;
    get(id: string): SyncJob | undefined;
  };
}

/**
 * Sync, delete, job reads and metrics: a consumer allowed the operation, or a Nextcloud admin.
 * An empty-user AppAPI signature is anonymous here (both proxies sign anonymous visitors so), and
 * the audit record of the request names whoever was let in or refused.
 */
export async function authorizeAdminOperation(
  ctx: Context,
  deps: ExAppApiDeps,
  operation: Operation,
  op: string,
): Promise<Caller> {
  const record = auditAs(ctx, op);
  const caller = await deps.authenticate(ctx);
  record.caller = caller;
  if (ctx.method !== 'GET') assertJsonIfSession(ctx, caller.kind);
  switch (caller.kind) {
    case 'consumer':
      if (!caller.consumer.operations.has(operation))
        throw new ForbiddenError(`consumer "${caller.consumer.name}" may not ${operation}`);
      return caller;
    case 'nextcloud-user':
      if (!(await (deps.isAdmin?.(caller.userId, ctx.state.signal) ?? false)))
        throw new ForbiddenError(`${operation} needs a Nextcloud admin`);
      return caller;
    case 'nextcloud-system':
      throw new ForbiddenError(`${operation} needs a consumer secret or a Nextcloud admin`);
  }
}

/**
 * The original ExApp's API surface (`/token`, `/sync-user`, `/delete-user`, `/sync-all`, its jobs,
 * `/openapi.json`) as a router to mount under `prefix`, behind the auth model of `deps`. The ExApp
 * mounts it at `/api`; a service embeds it under a prefix of its own, next to its own routes.
 */
export function exAppApiRouter(deps: ExAppApiDeps, prefix = '/api'): Router {
  return exAppApiRouterWith(deps, new TokenEndpoint(deps), prefix);
}

/** `exAppApiRouter` whose token route answers through `tokens` (shared with the server's fast lane). */
export function exAppApiRouterWith(deps: ExAppApiDeps, tokens: TokenEndpoint, prefix = '/api'): Router {
  const router = new Router({ prefix });
  const ready = () => deps.assertReady?.();

  router.use(async (ctx, next) => {
    ctx.set('cache-control', 'no-store');
    await next();
  });
  router.use(audited());

  router.get('/openapi.json', (ctx) => {
    ctx.body = OPENAPI_DOCUMENT;
  });

  // `POST /token`: the original's request and answer, behind the auth model.
  router.post('/token', async (ctx) => {
    const started = performance.now();
    try {
      const clientIdParam = tokenClientIdParam(ctx);
      const caller = await deps.authenticate(ctx);
      const answer = await tokens.answer({
        clientIdParam,
        caller,
        userIdHeader: ctx.get('x-nc-user-id'),
        state: ctx.state,
        assertSessionRequest: () => assertJsonIfSession(ctx, caller.kind),
        started,
      });
      ctx.set('content-type', 'application/json; charset=utf-8');
      ctx.body = answer;
    } catch (error) {
      tokens.refused(error);
      throw error;
    }
  });

  router.post('/sync-user', async (ctx) => {
    assertQuery(ctx, []);
    await authorizeAdminOperation(ctx, deps, 'sync', 'sync-user');
    const body = await readJsonObject(ctx);
    const userId = parseUserId(body.user_id, 'user_id');
    ctx.state.audit!.target = userId;
    ready();
    const result = await deps.syncUser.execute({ userId }, { signal: ctx.state.signal });
    ctx.state.audit!.outcome = result.outcome;
    ctx.body = { user_id: result.userId, outcome: result.outcome };
  });

  router.post('/delete-user', async (ctx) => {
    assertQuery(ctx, []);
    await authorizeAdminOperation(ctx, deps, 'delete', 'delete-user');
    const body = await readJsonObject(ctx);
    const userId = parseUserId(body.user_id, 'user_id');
    ctx.state.audit!.target = userId;
    ready();
    const result = await deps.deleteUser.execute({ userId }, { signal: ctx.state.signal });
    ctx.state.audit!.outcome = result.outcome;
    ctx.body = { user_id: result.userId, outcome: result.outcome };
  });

  router.post('/sync-all', async (ctx) => {
    assertQuery(ctx, ['async', 'verify']);
    await authorizeAdminOperation(ctx, deps, 'sync', 'sync-all');
    ctx.state.audit!.target = 'all users';
    const isAsync = flag(ctx, 'async');
    const verify = flag(ctx, 'verify');
    ready();
    const job = jobsOf(deps).start({ verify });
    ctx.state.audit!.outcome = `job ${job.id}`;
    if (isAsync) {
      ctx.status = 202;
      ctx.body = { job_id: job.id, status: job.status, status_url: `${prefix}/sync-all/jobs/${job.id}` };
      return;
    }
    const done = await job.finished;
    if (done.status === 'failed') {
      ctx.status = 502;
      ctx.body = { error: done.error?.message, code: done.error?.code, requestId: ctx.state.requestId };
      return;
    }
    ctx.body = done.report;
  });

  router.get('/sync-all/jobs/:id', async (ctx) => {
    assertQuery(ctx, []);
    await authorizeAdminOperation(ctx, deps, 'sync', 'sync-all-job');
    ctx.state.audit!.target = ctx.params.id;
    const job = jobsOf(deps).get(ctx.params.id ?? '');
    if (!job) throw new NotFoundError('no such job');
    ctx.body = { job_id: job.id, status: job.status, report: job.report ?? null, error: job.error ?? null };
  });

  return router;
}

function flag(ctx: Context, name: string): boolean {
  const value = ctx.query[name];
  if (value === undefined) return false;
  const parsed = flagQuerySchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(`${name} must be 1 or 0`);
  return parsed.data === '1' || parsed.data === 'true';
}

function jobsOf(deps: ExAppApiDeps): NonNullable<ExAppApiDeps['syncJobs']> {
  if (!deps.syncJobs) throw new NotFoundError('full sync is not offered here');
  return deps.syncJobs;
}

/** `GET /metrics`: Prometheus text, for Nextcloud admins and consumers allowed to sync. */
export function metricsRoutes(deps: ExAppApiDeps & { readonly metrics: ServerMetrics }): Router {
  const router = new Router();
  router.use(audited());
  router.get('/metrics', async (ctx) => {
    assertQuery(ctx, []);
    await authorizeAdminOperation(ctx, deps, 'sync', 'metrics');
    ctx.set('cache-control', 'no-store');
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  return router;
}

/** What Keycloak's management interface offers through the ExApp: its health checks and its metrics. */
const KEYCLOAK_MANAGEMENT_PATHS = ['health', 'health/ready', 'health/live', 'health/started', 'metrics'];

/**
 * `GET /keycloak-management/<health…|metrics>`: Keycloak's own health checks and Prometheus metrics
 * from its management port (loopback only), for the callers of `/metrics`. Keycloak's answer and
 * status pass through as they are (a DOWN health check is its 503 with its JSON); `managementUrl`
 * undefined (an external Keycloak without `KEYCLOAK_MANAGEMENT_URL`) answers 404.
 */
export function keycloakManagementRoutes(
  deps: ExAppApiDeps & {
    readonly managementUrl: string | undefined;
    /** Throws NOT_READY (503) unless the embedded Keycloak runs. */
    readonly assertRunning: () => void;
  },
): Router {
  const router = new Router({ prefix: '/keycloak-management' });
  router.use(audited());
  for (const path of KEYCLOAK_MANAGEMENT_PATHS)
    router.get(`/${path}`, async (ctx) => {
      assertQuery(ctx, []);
      await authorizeAdminOperation(ctx, deps, 'sync', 'keycloak-management');
      if (!deps.managementUrl)
        throw new NotFoundError(
          "Keycloak is external: set KEYCLOAK_MANAGEMENT_URL to one node's management interface (port 9000)",
        );
      deps.assertRunning();
      let res: Response;
      try {
        res = await fetch(`${deps.managementUrl}/${path}`, {
          signal: AbortSignal.any([ctx.state.signal, AbortSignal.timeout(10_000)]),
        });
      } catch (error) {
        throw new UpstreamUnavailableError(
          `Keycloak's management interface did not answer: ${String(error)}`,
        );
      }
      ctx.set('cache-control', 'no-store');
      ctx.status = res.status;
      ctx.type = res.headers.get('content-type') ?? 'text/plain';
      ctx.body = await res.text();
    });
  return router;
}

/**
 * `?client_id=`, and no other parameter. The usual query (that one parameter, nothing encoded) is
 * read as it is; anything else goes through Koa's parser and the unknown-parameter check.
 */
function tokenClientIdParam(ctx: Context): unknown {
  const query = ctx.querystring;
  if (query.startsWith('client_id=') && !query.includes('&') && !query.includes('%') && !query.includes('+'))
    return query.slice('client_id='.length);
  assertQuery(ctx, ['client_id']);
  return ctx.query.client_id;
}
