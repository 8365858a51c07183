import Router from '@koa/router';
import { ForbiddenError, InvalidInputError } from '@keycloak-exapp/core';
import { authenticate, type CallerAuth } from '../http/caller.js';
import type { ExAppLifecycle } from '../lifecycle/exapp-lifecycle.js';
import type { KeycloakReadiness } from '../lifecycle/keycloak-readiness.js';

/** AppAPI's calls (§3): heartbeat without auth; init and enabled only from Nextcloud itself. */
export function lifecycleRoutes(
  lifecycle: ExAppLifecycle,
  readiness: KeycloakReadiness,
  auth: CallerAuth,
  version: string,
  /** The FRP client's state in HaRP's FRP mode (undefined otherwise). */
  frpcState: () => string | undefined = () => undefined,
): Router {
  const router = new Router();

  router.get('/heartbeat', (ctx) => {
    ctx.set('cache-control', 'no-store');
    const frpc = frpcState();
    ctx.body = { status: 'ok', keycloak: readiness.state(), version, ...(frpc ? { frpc } : {}) };
  });

  router.post('/init', (ctx) => {
    const caller = authenticate(ctx, auth, 'nextcloud-itself');
    if (caller.kind !== 'nextcloud-system') throw new ForbiddenError('/init is for AppAPI only');
    lifecycle.startInit();
    ctx.body = {};
  });

  router.put('/enabled', async (ctx) => {
    const caller = authenticate(ctx, auth, 'nextcloud-itself');
    if (caller.kind !== 'nextcloud-system') throw new ForbiddenError('/enabled is for AppAPI only');
    const flag = ctx.query.enabled;
    if (flag !== '1' && flag !== '0') throw new InvalidInputError('enabled must be 1 or 0');
    ctx.body = { error: await lifecycle.setEnabled(flag === '1') };
  });

  return router;
}
