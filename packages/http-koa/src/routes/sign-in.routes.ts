import Router from '@koa/router';
import type { Context } from 'koa';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import {
  NotFoundError,
  UnauthenticatedError,
  toAppError,
  type AuthorizeRequest,
  type SignInWithNextcloud,
} from '@keycloak-exapp/core';
import { auditAs, writeAudit } from '../http/audit.js';
import { signedBrowserUser, type CallerAuth } from '../http/caller.js';
import { ERROR_STATUS } from '../http/error-status.js';
import { readBodyLimited } from '../http/read-json.js';

export interface SignInBrowserDeps {
  readonly signIn: SignInWithNextcloud;
  readonly auth: CallerAuth;
  /**
   * Where a browser signs in to Nextcloud (`<Nextcloud>/index.php/login`) and the path of the
   * authorization endpoint through Nextcloud's proxy (`/exapps/<app>/sign-in/authorize`, or the
   * classic proxy's), to which Nextcloud's login sends it back (`redirect_url`, a local path).
   */
  readonly nextcloudLoginUrl: string;
  readonly authorizePathThroughProxy: string;
  /** Throws NOT_READY (503) while Keycloak cannot take the browser back. */
  assertReady?(): void;
}

const PREFIX = '/sign-in';
const MAX_FORM_BYTES = 16 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A page that sends the browser on. Not an HTTP redirect: Nextcloud's classic proxy follows those
 * itself (server-side, up to five hops), so the browser would never get there; a page passes both
 * proxies as it is. No script, so Nextcloud's CSP does not matter; no referrer, since the URL holds a
 * code.
 */
function continuePage(ctx: Context, location: string, words: string): void {
  const href = escapeHtml(location);
  pageHeaders(ctx);
  ctx.status = 200;
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>${escapeHtml(words)}</title></head><body><p>${escapeHtml(words)} <a href="${href}">Continue</a></p></body></html>`;
}

function refusalPage(ctx: Context, status: number, title: string, text: string): void {
  pageHeaders(ctx);
  ctx.status = status;
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
}

function pageHeaders(ctx: Context): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('cache-control', 'no-store');
  ctx.set('referrer-policy', 'no-referrer');
  ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  ctx.set('x-content-type-options', 'nosniff');
}

/** What a person is told when the sign-in stops, by error code. */
function refusalFor(code: string): { title: string; text: string } {
  switch (code) {
    case 'USER_DISABLED':
      return {
        title: 'Your Nextcloud account is disabled',
        text: 'Signing in to this application needs an enabled Nextcloud account. Ask your Nextcloud administrator.',
      };
    case 'USER_NOT_FOUND':
      return {
        title: 'Your Nextcloud account was not found',
        text: 'The account you are signed in with no longer exists in Nextcloud. Sign in again to Nextcloud.',
      };
    case 'INVALID_INPUT':
      return {
        title: 'This sign-in request is not valid',
        text: 'Start again from the application you wanted to open.',
      };
    case 'UNAUTHENTICATED':
    case 'RATE_LIMITED':
      return {
        title: 'Open this page through Nextcloud',
        text: 'The request did not come through Nextcloud.',
      };
    default:
      return {
        title: 'Signing in is not possible right now',
        text: 'The sign-in service is starting or busy. Try again in a moment.',
      };
  }
}

/** RFC 6749 §5.2's error body, with the project's `code` beside it. */
function oauthError(
  ctx: Context,
  status: number,
  error: string,
  description: string,
  code: string,
  challenge?: string,
): void {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  if (challenge) ctx.set('www-authenticate', challenge);
  ctx.body = { error, error_description: description, code };
}

/** client_secret_post, or client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret). */
function clientCredentials(form: URLSearchParams, authorization: string): { id?: string; secret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0)
      return {
        id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
      };
  }
  return { id: form.get('client_id') ?? undefined, secret: form.get('client_secret') ?? undefined };
}

/**
 * Sign in with Nextcloud (see SignInWithNextcloud), the part a browser reaches through Nextcloud's
 * proxy: the authorization endpoint.
 */
export function signInBrowserRouter(deps: SignInBrowserDeps): Router {
  const router = new Router({ prefix: PREFIX });

  router.get('/authorize', async (ctx) => {
    const record = auditAs(ctx, 'sign-in');
    try {
      const userId = signedBrowserUser(ctx, deps.auth);
      if (userId) record.caller = { kind: 'nextcloud-user', userId };
      deps.assertReady?.();
      const query = ctx.query as Record<string, string | string[] | undefined>;
      const one = (name: keyof AuthorizeRequest) => {
        const value = query[name];
        return Array.isArray(value) ? undefined : value;
      };
      const request: AuthorizeRequest = {
        response_type: one('response_type'),
        client_id: one('client_id'),
        redirect_uri: one('redirect_uri'),
        state: one('state'),
        code_challenge: one('code_challenge'),
        code_challenge_method: one('code_challenge_method'),
        prompt: one('prompt'),
      };
      const outcome = await deps.signIn.authorize(request, userId, { signal: ctx.state.signal });
      if (outcome.kind === 'sign-in-first') {
        record.outcome = 'sent to Nextcloud login';
        const back = `${deps.authorizePathThroughProxy}${ctx.querystring ? `?${ctx.querystring}` : ''}`;
        const login = new URL(deps.nextcloudLoginUrl);
        login.searchParams.set('redirect_url', back);
        continuePage(ctx, login.toString(), 'Sign in to Nextcloud to continue.');
      } else if (outcome.kind === 'login-required') {
        record.outcome = 'login required (prompt=none)';
        continuePage(ctx, outcome.location, 'Not signed in to Nextcloud.');
      } else {
        record.target = outcome.user.username;
        continuePage(ctx, outcome.location, 'Signing you in…');
      }
      writeAudit(ctx, undefined);
    } catch (error) {
      const appError = toAppError(error);
      writeAudit(ctx, appError.code);
      const status = ERROR_STATUS[appError.code];
      if (status >= 500)
        ctx.state.logger.warn({ code: appError.code, err: appError.message }, 'sign-in failed');
      const { title, text } = refusalFor(appError.code);
      refusalPage(ctx, status, title, text);
    }
  });

  return router;
}

/**
 * The part Keycloak's broker calls directly, on a listener of its own (see openSignInListener):
 * the token and user endpoints. A request that carries AppAPI headers came through a proxy and is
 * refused (404), should a listener ever be shared.
 */
export function signInBrokerRouter(signIn: SignInWithNextcloud): Router {
  const router = new Router({ prefix: PREFIX });
  router.use(async (ctx, next) => {
    if (AppApiRequestVerifier.claimsAppApi(ctx.headers)) throw new NotFoundError('not found');
    await next();
  });

  router.post('/token', async (ctx) => {
    const record = auditAs(ctx, 'sign-in-redeem');
    const raw = await readBodyLimited(ctx.req, MAX_FORM_BYTES);
    const form = new URLSearchParams(raw.toString('utf8'));
    const { id, secret } = clientCredentials(form, ctx.get('authorization'));
    try {
      const answer = await signIn.redeem({
        grant_type: form.get('grant_type') ?? undefined,
        code: form.get('code') ?? undefined,
        redirect_uri: form.get('redirect_uri') ?? undefined,
        code_verifier: form.get('code_verifier') ?? undefined,
        client_id: id,
        client_secret: secret,
      });
      record.caller = { kind: 'sign-in-broker', clientId: id ?? '' };
      record.target = signIn.userInfo(answer.access_token).preferred_username;
      ctx.body = answer;
      ctx.set('cache-control', 'no-store');
      writeAudit(ctx, undefined);
    } catch (error) {
      const appError = toAppError(error);
      // Past client authentication, a refusal is the broker's (a bad code, verifier or grant type).
      if (appError.code !== 'UNAUTHENTICATED') record.caller = { kind: 'sign-in-broker', clientId: id ?? '' };
      writeAudit(ctx, appError.code);
      if (appError.code === 'UNAUTHENTICATED')
        return oauthError(
          ctx,
          401,
          'invalid_client',
          appError.message,
          appError.code,
          'Basic realm="sign-in"',
        );
      if (appError.code === 'INVALID_GRANT')
        return oauthError(ctx, 400, 'invalid_grant', appError.message, appError.code);
      if (appError.code === 'INVALID_INPUT')
        return oauthError(ctx, 400, 'unsupported_grant_type', appError.message, appError.code);
      throw error;
    }
  });

  router.get('/userinfo', (ctx) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    try {
      if (!bearer) throw new UnauthenticatedError('a bearer token is required');
      ctx.body = signIn.userInfo(bearer);
      ctx.set('cache-control', 'no-store');
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code !== 'UNAUTHENTICATED') throw error;
      oauthError(ctx, 401, 'invalid_token', appError.message, appError.code, 'Bearer error="invalid_token"');
    }
  });

  return router;
}
