import type { Context, Next } from 'koa';
import type { Logger } from '@keycloak-exapp/core';
import { RequestState, nextRequestId } from '../http/request-state.js';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    logger: Logger;
    /** Aborted when the client goes away before the answer is written. */
    signal: AbortSignal;
  }
}

/** Gives each request an id, a child logger and an AbortSignal tied to the client connection. */
export function requestContext(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const requestId = nextRequestId();
    ctx.state = Object.assign(new RequestState(requestId, logger, ctx.res), ctx.state);
    ctx.set('x-request-id', requestId);
    await next();
  };
}
