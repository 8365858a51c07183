import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type Koa from 'koa';
import proxies from 'koa-proxies';
import { ForbiddenError, InvalidInputError, toAppError, type Logger } from '@keycloak-exapp/core';
import { auditAs, writeAudit } from '../http/audit.js';
import { authenticate, type CallerAuth } from '../http/caller.js';
import type { KeycloakReadiness } from '../lifecycle/keycloak-readiness.js';
import type { NextcloudAdminCheck } from '../lifecycle/nextcloud-admin-check.js';

/** The paths that belong to Keycloak; everything else is ours (or 404). */
export const KEYCLOAK_PATHS = /^\/(realms|resources|admin)(\/|$)/;
/**
 * Keycloak paths only a verified Nextcloud admin reaches: the admin console and REST API, and the
 * master realm (its token endpoint logs in Keycloak's own administrators and the ExApp's service
 * client). Matched on the decoded path, in any letter case.
 */
export const ADMIN_ONLY_PATHS = /^\/(admin|realms\/master)(\/|$)/i;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
/** Nextcloud's own cookies: the session, the instance cookie oc<id>, the same-site markers. */
const NEXTCLOUD_COOKIE = /^(oc|nc_|__Host-nc_)/i;
const APP_API_HEADERS = [
  'authorization-app-api',
  'ex-app-id',
  'ex-app-version',
  'aa-version',
  'aa-request-id',
  'harp-shared-key',
  'ex-app-host',
  'ex-app-port',
  'x-origin-ip',
];

/** Removes what must never reach Keycloak: Nextcloud's cookies and the AppAPI header set. */
export function cleanForKeycloak(headers: IncomingHttpHeaders): void {
  for (const name of APP_API_HEADERS) Reflect.deleteProperty(headers, name);
  const cookie = headers.cookie;
  if (cookie !== undefined) {
    const kept = cookie
      .split(';')
      .map((c) => c.trim())
      .filter((c) => c.length > 0 && !NEXTCLOUD_COOKIE.test(c.split('=')[0] ?? ''));
    if (kept.length > 0) headers.cookie = kept.join('; ');
    else delete headers.cookie;
  }
}

export interface KeycloakProxyOptions {
  readonly target: string;
  readonly readiness: KeycloakReadiness;
  /** Who is a Nextcloud admin (and so may open the console and the master realm). */
  readonly admins: Pick<NextcloudAdminCheck, 'isAdmin'>;
  readonly auth: CallerAuth;
  /** KC_HOSTNAME: where browsers reach Keycloak; the X-Forwarded-* headers say so. */
  readonly publicBase?: string | undefined;
  readonly logger: Logger;
}

/**
 * Keycloak behind Nextcloud: OIDC endpoints and resources public, the admin console only for a
 * verified Nextcloud admin; hostile request targets refused before Keycloak sees them; bodies and
 * every Set-Cookie streamed through untouched (Keycloak builds its URLs from KC_HOSTNAME itself).
 */
export function keycloakProxy(opts: KeycloakProxyOptions): Koa.Middleware[] {
  const base = opts.publicBase ? new URL(opts.publicBase) : undefined;
  const guard: Koa.Middleware = async (ctx, next) => {
    const raw = ctx.req.url ?? '';
    if (!raw.startsWith('/')) throw new InvalidInputError('absolute-URL request targets are not accepted');
    const rawPath = raw.split('?')[0] ?? '';
    if (/%2e|%2f|%5c|\\/i.test(rawPath) || rawPath.split('/').some((seg) => seg === '..' || seg === '.')) {
      throw new InvalidInputError('path traversal is not accepted');
    }
    if (!KEYCLOAK_PATHS.test(ctx.path)) {
      await next();
      return;
    }
    if (!METHODS.has(ctx.method))
      throw new InvalidInputError(`method ${ctx.method} is not passed to Keycloak`);
    if (ADMIN_ONLY_PATHS.test(decodedPath(ctx.path))) {
      const record = auditAs(ctx, 'keycloak-admin');
      record.target = `${ctx.method} ${ctx.path}`;
      try {
        const caller = authenticate(ctx, opts.auth);
        record.caller = caller;
        const isAdmin =
          caller.kind === 'nextcloud-user' && (await opts.admins.isAdmin(caller.userId, ctx.state.signal));
        if (!isAdmin)
          throw new ForbiddenError("Keycloak's admin console and master realm are for Nextcloud admins");
      } catch (error) {
        writeAudit(ctx, toAppError(error).code);
        throw error;
      }
      record.outcome = 'forwarded';
      writeAudit(ctx, undefined);
    }
    opts.readiness.assertRunning();
    const headers = ctx.req.headers;
    cleanForKeycloak(headers);
    headers['x-forwarded-for'] = ctx.req.socket.remoteAddress ?? '127.0.0.1';
    headers['x-forwarded-proto'] = base ? base.protocol.replace(':', '') : 'http';
    headers['x-forwarded-host'] = base ? base.hostname : (ctx.get('host').split(':')[0] ?? 'localhost');
    headers['x-forwarded-port'] = base
      ? base.port || (base.protocol === 'https:' ? '443' : '80')
      : (ctx.get('host').split(':')[1] ?? '80');
    await next();
  };
  const forward = proxies(KEYCLOAK_PATHS, {
    target: opts.target,
    changeOrigin: false,
    logs: (ctx: Koa.Context) =>
      opts.logger.debug({ method: ctx.method, path: ctx.path }, 'proxied to Keycloak'),
    events: {
      error: (error: { code?: string }, _req: IncomingMessage, res: ServerResponse) => {
        opts.logger.warn({ code: error.code }, 'Keycloak proxy error');
        if (!res.headersSent) {
          res
            .writeHead(502, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'Keycloak did not answer', code: 'UPSTREAM_UNAVAILABLE' }));
        }
      },
    },
  });
  return [guard, forward];
}

/** The path as Keycloak will read it (encoded slashes and dots were refused before this). */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new InvalidInputError('the path is not valid percent-encoding');
  }
}
