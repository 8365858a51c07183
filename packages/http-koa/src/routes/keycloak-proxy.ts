import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type Koa from 'koa';
import proxies from 'koa-proxies';
import { ForbiddenError, InvalidInputError, toAppError, type Logger } from '@keycloak-exapp/core';
import { PayloadTooLargeError, readBodyLimited } from '../http/read-json.js';
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
/** A realm's token endpoint: where the proxy reads the grant type before Keycloak does. */
const TOKEN_ENDPOINT = /^\/realms\/[^/]+\/protocol\/openid-connect\/token\/?$/;
/** Token requests are small forms; a larger one is refused rather than buffered. */
const MAX_TOKEN_FORM_BYTES = 64 * 1024;
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
  /**
   * Clients whose password grant may come through this proxy (default: none). The ExApp's own
   * grants go to Keycloak directly; nobody outside knows a synced user's derived password.
   */
  readonly passwordGrantClients?: readonly string[];
  /** Keycloak's answer must start within this time (default 60 s), else 504. */
  readonly upstreamTimeoutMs?: number;
  /** Request bodies larger than this are refused with 413 (default 8 MiB). */
  readonly maxBodyBytes?: number;
}

/** The client a token request names: the form's `client_id`, else HTTP Basic's user part. */
function clientOfTokenRequest(form: URLSearchParams, authorization: string | undefined): string {
  const fromForm = form.get('client_id');
  if (fromForm) return fromForm;
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!basic?.[1]) return '';
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decodeURIComponent(decoded.split(':')[0] ?? '');
}

/**
 * Keycloak behind Nextcloud: OIDC endpoints and resources public, the admin console only for a
 * verified Nextcloud admin; hostile request targets refused before Keycloak sees them; bodies and
 * every Set-Cookie streamed through untouched (Keycloak builds its URLs from KC_HOSTNAME itself).
 */
export function keycloakProxy(opts: KeycloakProxyOptions): Koa.Middleware[] {
  const base = opts.publicBase ? new URL(opts.publicBase) : undefined;
  const passwordGrantClients = new Set(opts.passwordGrantClients ?? []);
  const timeoutMs = opts.upstreamTimeoutMs ?? 60_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 8 * 1024 * 1024;
  /** The body already read (a token form), handed to the proxy instead of the drained request. */
  const BODY = Symbol('keycloak-proxy.body');
  const guard: Koa.Middleware = async (ctx, next) => {
    if (!KEYCLOAK_PATHS.test(ctx.path)) {
      await next();
      return;
    }
    if (!METHODS.has(ctx.method))
      throw new InvalidInputError(`method ${ctx.method} is not passed to Keycloak`);
    // The path is in its normal form (normalPathOnly), so Keycloak reads exactly this path.
    if (ADMIN_ONLY_PATHS.test(ctx.path)) {
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
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
    if (ctx.method === 'POST' && TOKEN_ENDPOINT.test(ctx.path)) {
      const body = await readBodyLimited(ctx.req, Math.min(maxBodyBytes, MAX_TOKEN_FORM_BYTES));
      const form = new URLSearchParams(body.toString('utf8'));
      const clientId = clientOfTokenRequest(form, ctx.get('authorization') || undefined);
      if (form.get('grant_type') === 'password' && !passwordGrantClients.has(clientId)) {
        ctx.state.logger.info({ clientId, grant: 'password' }, 'password grant refused at the proxy');
        throw new ForbiddenError(
          'the password grant is not offered through this proxy (KEYCLOAK_PROXY_PASSWORD_GRANT_CLIENTS)',
        );
      }
      (ctx.req as unknown as Record<symbol, Buffer>)[BODY] = body;
    } else if (ctx.get('transfer-encoding') !== '' && ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      // A chunked body has no declared length: read it within the limit before Keycloak sees it.
      (ctx.req as unknown as Record<symbol, Buffer>)[BODY] = await readBodyLimited(ctx.req, maxBodyBytes);
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
  const forward = proxies(KEYCLOAK_PATHS, (_params: unknown, ctx: Koa.Context) => {
    const body = (ctx.req as unknown as Record<symbol, Buffer | undefined>)[BODY];
    if (body !== undefined) {
      ctx.req.headers['content-length'] = String(body.length);
      delete ctx.req.headers['transfer-encoding'];
    }
    const started = Date.now();
    return {
      target: opts.target,
      changeOrigin: false,
      proxyTimeout: timeoutMs,
      ...(body !== undefined ? { buffer: Readable.from([body]) } : {}),
      logs: () => opts.logger.debug({ method: ctx.method, path: ctx.path }, 'proxied to Keycloak'),
      events: {
        error: (error: { code?: string }, _req: IncomingMessage, res: ServerResponse) => {
          const timedOut = Date.now() - started >= timeoutMs;
          opts.logger.warn({ code: error.code, timedOut }, 'Keycloak proxy error');
          if (!res.headersSent) {
            res
              .writeHead(timedOut ? 504 : 502, { 'content-type': 'application/json', 'retry-after': '5' })
              .end(
                JSON.stringify(
                  timedOut
                    ? { error: `Keycloak did not answer within ${timeoutMs} ms`, code: 'UPSTREAM_TIMEOUT' }
                    : { error: 'Keycloak did not answer', code: 'UPSTREAM_UNAVAILABLE' },
                ),
              );
          }
        },
      },
    };
  });
  return [guard, forward];
}
