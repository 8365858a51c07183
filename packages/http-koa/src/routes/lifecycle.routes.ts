import Router from '@koa/router';
import { ForbiddenError, InvalidInputError } from '@keycloak-exapp/core';
import { auditAs, audited } from '../http/audit.js';
import { authenticate, type CallerAuth } from '../http/caller.js';
import type { ExAppLifecycle } from '../lifecycle/exapp-lifecycle.js';
import type { KeycloakReadiness } from '../lifecycle/keycloak-readiness.js';

/** AppAPI's calls (§3): heartbeat without auth; init and enabled only from Nextcloud itself. */
export function lifecycleRoutes(
  lifecycle: ExAppLifecycle,
  readiness: KeycloakReadiness,
  auth: CallerAuth,
  version: string,
  /** The FRP client's state in HaRP's FRP mode, and why it is refused if it is (undefined otherwise). */
  frpcState: () => { readonly state: string; readonly reason?: string | undefined } | undefined = () =>
    undefined,
): Router {
  const router = new Router();

  router.get('/heartbeat', (ctx) => {
    ctx.set('cache-control', 'no-store');
    const frpc = frpcState();
    const health = readiness.health();
    // Unhealthy answers 503 with the reason: AppAPI and Docker's health check both see it.
    if (!health.healthy) ctx.status = 503;
    ctx.body = {
      status: health.healthy ? 'ok' : 'error',
      ...(health.healthy ? {} : { reason: health.reason }),
      keycloak: readiness.state(),
      version,
      ...(frpc ? { frpc: frpc.state } : {}),
      ...(frpc?.reason ? { frpc_error: frpc.reason } : {}),
    };
  });

  // /init and /enabled act on the whole ExApp: each call, allowed or refused, leaves an audit line.
  router.post('/init', audited(), (ctx) => {
    const record = auditAs(ctx, 'init');
    record.target = 'ExApp';
    const caller = authenticate(ctx, auth, 'nextcloud-itself');
    record.caller = caller;
    if (caller.kind !== 'nextcloud-system') throw new ForbiddenError('/init is for AppAPI only');
    lifecycle.startInit();
    record.outcome = 'started';
    ctx.body = {};
  });

  router.put('/enabled', audited(), async (ctx) => {
    const record = auditAs(ctx, 'enabled');
    const caller = authenticate(ctx, auth, 'nextcloud-itself');
    record.caller = caller;
    if (caller.kind !== 'nextcloud-system') throw new ForbiddenError('/enabled is for AppAPI only');
    const flag = ctx.query.enabled;
    if (flag !== '1' && flag !== '0') throw new InvalidInputError('enabled must be 1 or 0');
    record.target = `enabled=${flag}`;
    const error = await lifecycle.setEnabled(flag === '1');
    record.outcome = error === '' ? 'ok' : 'failed';
    ctx.body = { error };
  });

  return router;
}
