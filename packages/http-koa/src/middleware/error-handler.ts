import type { Context, Next } from 'koa';
import { errorAnswerOf } from '../http/error-status.js';

/**
 * The first middleware: every failure leaves as JSON `{error, code, requestId}` with the status
 * decided by ERROR_STATUS. Unknown errors become a generic 500; their detail goes to the log only.
 */
export async function errorHandler(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { error: 'no such route', code: 'NOT_FOUND', requestId: ctx.state.requestId };
    }
  } catch (error) {
    const answer = errorAnswerOf(error, ctx.state.logger);
    ctx.status = answer.status;
    if (answer.retryAfter !== undefined) ctx.set('retry-after', String(answer.retryAfter));
    ctx.set('cache-control', 'no-store');
    ctx.body = { error: answer.message, code: answer.code, requestId: ctx.state.requestId };
  }
}
