import type { Context } from 'koa';
import { UnauthenticatedError } from '@keycloak-exapp/core';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import type { Consumer, ConsumerRegistry } from '../consumers.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';

/** Who is calling: a consumer ExApp (by its secret) or Nextcloud through AppAPI (user or system). */
export type Caller =
  | { readonly kind: 'consumer'; readonly consumer: Consumer }
  | { readonly kind: 'nextcloud-user'; readonly userId: string }
  | { readonly kind: 'nextcloud-system' };

export interface CallerAuth {
  readonly verifier: AppApiRequestVerifier;
  readonly consumers: ConsumerRegistry;
  readonly limiter: AuthFailureLimiter;
}

/**
 * Authenticates a request, failing closed: a request that carries AppAPI headers is accepted only
 * with a valid signature (whatever else it carries); otherwise X-API-SECRET must match a consumer.
 */
export function authenticate(ctx: Context, auth: CallerAuth): Caller {
  const address = ctx.request.ip || 'unknown';
  auth.limiter.assertAllowed(address);
  try {
    return identify(ctx, auth);
  } catch (error) {
    auth.limiter.recordFailure(address);
    throw error;
  }
}

function identify(ctx: Context, auth: CallerAuth): Caller {
  if (AppApiRequestVerifier.claimsAppApi(ctx.headers)) {
    const result = auth.verifier.verify(ctx.headers);
    if (!result.ok) throw new UnauthenticatedError(`AppAPI authentication failed: ${result.reason}`);
    return result.userId === null
      ? { kind: 'nextcloud-system' }
      : { kind: 'nextcloud-user', userId: result.userId };
  }
  const secret = ctx.get('x-api-secret');
  if (secret === '')
    throw new UnauthenticatedError('credentials missing: send X-API-SECRET or AppAPI headers');
  const consumer = auth.consumers.match(secret);
  if (!consumer) throw new UnauthenticatedError('X-API-SECRET is not valid');
  return { kind: 'consumer', consumer };
}

export function describeCaller(caller: Caller): string {
  switch (caller.kind) {
    case 'consumer':
      return `consumer:${caller.consumer.name}`;
    case 'nextcloud-user':
      return `nextcloud-user`;
    case 'nextcloud-system':
      return 'nextcloud-system';
  }
}
