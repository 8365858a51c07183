import Router from '@koa/router';
import type { ConsumerGrant } from '@keycloak-exapp/composition';
import { audited } from '../http/audit.js';
import { assertQuery } from '../http/read-json.js';
import type { KeycloakReadiness } from '../lifecycle/keycloak-readiness.js';
import type { SyncPasses } from '../lifecycle/sync-passes.js';
import { authorizeAdminOperation, type ExAppApiDeps } from './api.routes.js';

export interface StatusDeps extends ExAppApiDeps {
  readonly readiness: KeycloakReadiness;
  /** The embedded Keycloak's version; undefined when Keycloak is external (not read from it). */
  readonly keycloakVersion: string | undefined;
  readonly realm: string;
  /** What consumers must configure as the issuer: `<public base>/realms/<realm>`. */
  readonly issuer: string;
  readonly consumers: () => readonly ConsumerGrant[];
  readonly passes: SyncPasses;
}

/**
 * `GET /api/status`: what the admin's page in Nextcloud shows — Keycloak's state and version, the
 * issuer, the consumers and the clients each may get tokens for (never a secret), and the last
 * sync pass of each kind with its counts and failures. For the callers of `/metrics`.
 */
export function statusRoutes(deps: StatusDeps): Router {
  const router = new Router({ prefix: '/api' });
  router.use(audited());
  router.get('/status', async (ctx) => {
    assertQuery(ctx, []);
    await authorizeAdminOperation(ctx, deps, 'sync', 'status');
    const health = deps.readiness.health();
    const last = deps.passes.last();
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      keycloak: {
        state: deps.readiness.state(),
        healthy: health.healthy,
        ...(health.healthy ? {} : { reason: health.reason }),
        version: deps.keycloakVersion ?? null,
      },
      realm: deps.realm,
      issuer: deps.issuer,
      consumers: deps
        .consumers()
        .map((c) => ({
          name: c.name,
          client_ids: [...c.clientIds].sort(),
          operations: [...c.operations].sort(),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      user_token_clients: [...(deps.userTokenClients ?? [])].sort(),
      sync: { full: last.full ?? null, cheap: last.cheap ?? null },
    };
  });
  return router;
}
