import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import {
  InvalidInputError,
  RateLimitedError,
  UnauthenticatedError,
  userIdSchema,
} from '@keycloak-exapp/core';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import type { ConsumerGrant, ConsumerRegistry } from '@keycloak-exapp/composition';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';

/** What authentication reads of a request: its headers and its peer. */
export type RequestHead = Pick<IncomingMessage, 'headers' | 'socket'>;

/** A request header as Koa's `ctx.get` reads it: '' when absent. */
function headerOf(req: RequestHead, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

/** Who is calling: a consumer ExApp (by its secret), a Nextcloud user, or Nextcloud itself. */
export type Caller =
  | { readonly kind: 'consumer'; readonly consumer: ConsumerGrant }
  | { readonly kind: 'nextcloud-user'; readonly userId: string }
  | { readonly kind: 'nextcloud-system' };

/** Keycloak's sign-in broker redeeming a code, authenticated by its client secret (audit only). */
export interface SignInBrokerCaller {
  readonly kind: 'sign-in-broker';
  readonly clientId: string;
}

export interface CallerAuth {
  readonly verifier: AppApiRequestVerifier;
  readonly consumers: ConsumerRegistry;
  readonly limiter: AuthFailureLimiter;
  /** Whether `X-Origin-IP` on a signed request is the classic proxy's (see `clientKeyOf`). */
  readonly trustOriginIp?: boolean;
}

/**
 * What a verified AppAPI signature with an **empty user** means on a route. Both of Nextcloud's
 * proxies sign an anonymous visitor's request exactly like that, so it means "Nextcloud itself"
 * only on AppAPI's own direct calls (`/heartbeat`, `/init`, `/enabled`, which neither proxy
 * forwards), and "anonymous" everywhere else.
 */
export type EmptyUserMeans = 'nextcloud-itself' | 'anonymous';

/**
 * Authenticates a request, failing closed:
 * 1. AppAPI headers, when present, must verify (constant time), whatever else the request carries.
 * 2. `X-API-SECRET`, when present, must match a consumer: checked whether or not a proxy added
 *    AppAPI headers, so a consumer reaches the API directly, through HaRP and through the classic
 *    proxy alike.
 * 3. Otherwise a signed non-empty user is that Nextcloud user; a signed empty user is Nextcloud
 *    itself only where `emptyUser` says so; anything else is refused (401).
 *
 * Failures count against the client (see `clientKeyOf`); a client over the limit gets 429. A valid
 * credential is never refused by the limiter, so a flood cannot lock out AppAPI or a consumer.
 */
export function authenticate(
  ctx: Context,
  auth: CallerAuth,
  emptyUser: EmptyUserMeans = 'anonymous',
): Caller {
  return authenticateRequest(ctx.req, auth, emptyUser);
}

/** `authenticate` on Node's request itself (the server's token fast lane has no Koa context). */
export function authenticateRequest(
  req: RequestHead,
  auth: CallerAuth,
  emptyUser: EmptyUserMeans = 'anonymous',
): Caller {
  const socketKey = req.socket.remoteAddress ?? 'unix-socket';
  let signed: { userId: string | null } | undefined;
  if (AppApiRequestVerifier.claimsAppApi(req.headers)) {
    const result = auth.verifier.verify(req.headers);
    if (!result.ok) refuse(auth, socketKey, `AppAPI authentication failed: ${result.reason}`);
    signed = result;
  }
  const client = clientKeyOf(req, socketKey, signed !== undefined && auth.trustOriginIp === true);
  const secret = headerOf(req, 'x-api-secret');
  if (secret !== '') {
    const consumer = auth.consumers.match(secret);
    if (!consumer) refuse(auth, client, 'X-API-SECRET is not valid');
    return { kind: 'consumer', consumer };
  }
  if (signed?.userId) {
    if (!userIdSchema.safeParse(signed.userId).success)
      throw new InvalidInputError('the signed user id is not a valid Nextcloud user id');
    return { kind: 'nextcloud-user', userId: signed.userId };
  }
  if (signed && emptyUser === 'nextcloud-itself') return { kind: 'nextcloud-system' };
  refuse(
    auth,
    client,
    signed
      ? 'anonymous request: send X-API-SECRET, or call as a logged-in Nextcloud user'
      : 'credentials missing: send X-API-SECRET or AppAPI headers',
  );
}

/**
 * The Nextcloud user a proxy names on a browser's request (`null`: an anonymous visitor), for pages
 * that only make sense behind Nextcloud's session. The request must carry an AppAPI signature, which
 * must verify (constant time); a consumer secret means nothing here. Failures count like
 * `authenticate`'s.
 */
export function signedBrowserUser(ctx: Context, auth: CallerAuth): string | null {
  const socketKey = ctx.req.socket.remoteAddress ?? 'unix-socket';
  if (!AppApiRequestVerifier.claimsAppApi(ctx.headers))
    refuse(auth, socketKey, 'open this page through Nextcloud (its proxy names the signed-in user)');
  const result = auth.verifier.verify(ctx.headers);
  const client = clientKeyOf(ctx.req, socketKey, result.ok && auth.trustOriginIp === true);
  if (!result.ok) refuse(auth, client, `AppAPI authentication failed: ${result.reason}`);
  if (!result.userId) return null;
  if (!userIdSchema.safeParse(result.userId).success)
    throw new InvalidInputError('the signed user id is not a valid Nextcloud user id');
  return result.userId;
}

/**
 * The client a failure counts against: the address the classic proxy vouches for (`X-Origin-IP`,
 * trusted only behind that proxy and on a request whose AppAPI signature verified, since it
 * replaces any such header a browser sends), else the socket's peer. HaRP passes a client's own
 * `X-Origin-IP` through, adds no address of its own and talks over a unix socket, so its callers
 * share one key (HaRP bans by the true address itself); a valid credential is never limited, so
 * that shared key only slows failing callers.
 */
function clientKeyOf(req: RequestHead, socketKey: string, originVouched: boolean): string {
  const origin = headerOf(req, 'x-origin-ip').trim();
  return originVouched && origin !== '' ? `origin:${origin}` : socketKey;
}

function refuse(auth: CallerAuth, client: string, message: string): never {
  if (auth.limiter.isBlocked(client))
    throw new RateLimitedError('too many failed authentication attempts; try again later');
  auth.limiter.recordFailure(client);
  throw new UnauthenticatedError(message);
}

/** The caller as an audit line names it (a user's id, a consumer's name; never a secret). */
export function describeCaller(caller: Caller | SignInBrokerCaller): string {
  switch (caller.kind) {
    case 'sign-in-broker':
      return `sign-in-broker:${caller.clientId}`;
    case 'consumer':
      return `consumer:${caller.consumer.name}`;
    case 'nextcloud-user':
      return `nextcloud-user:${caller.userId}`;
    case 'nextcloud-system':
      return 'nextcloud-system';
  }
}
