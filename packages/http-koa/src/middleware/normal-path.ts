import type { Context, Next } from 'koa';
import { InvalidInputError } from '@keycloak-exapp/core';
import { assertNormalPath } from '../http/request-path.js';

/**
 * Refuses a request target that is not an origin-form path in its normal form (404), before any
 * route or the Keycloak proxy sees it: what is decided on is what is forwarded.
 */
export async function normalPathOnly(ctx: Context, next: Next): Promise<void> {
  const target = ctx.req.url ?? '';
  if (!target.startsWith('/')) throw new InvalidInputError('absolute-URL request targets are not accepted');
  assertNormalPath(target.split('?')[0] ?? '');
  await next();
}
