import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '@keycloak-exapp/core';

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
    const requestId = randomUUID();
    const controller = new AbortController();
    ctx.res.once('close', () => {
      if (!ctx.res.writableEnded) controller.abort();
    });
    ctx.state.requestId = requestId;
    ctx.state.logger = logger.child({ reqId: requestId });
    ctx.state.signal = controller.signal;
    ctx.set('x-request-id', requestId);
    await next();
  };
}
