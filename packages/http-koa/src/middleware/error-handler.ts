import type { Context, Next } from 'koa';
import { isAppError, type ErrorCode, type Logger } from '@keycloak-exapp/core';
import { ERROR_STATUS, RETRY_AFTER_SECONDS } from '../http/error-status.js';

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'INVALID_INPUT',
  413: 'INVALID_INPUT',
  415: 'INVALID_INPUT',
  429: 'RATE_LIMITED',
  501: 'INVALID_INPUT',
};

/** What a failed request is answered: its status, its JSON body's error and code, Retry-After. */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryAfter: number | undefined;
}

/**
 * The answer to a failure, by ERROR_STATUS. An unknown error becomes a generic 500 whose detail
 * goes to `logger` only; a 5xx of a known kind is logged as a warning.
 */
export function errorAnswerOf(error: unknown, logger: Logger): ErrorAnswer {
  let status: number;
  let code: ErrorCode;
  let message: string;
  if (isAppError(error)) {
    code = error.code;
    status = ERROR_STATUS[code];
    message = error.message;
  } else if (
    error instanceof Error &&
    typeof (error as { status?: unknown }).status === 'number' &&
    (error as { expose?: boolean }).expose
  ) {
    status = (error as unknown as { status: number }).status;
    code = STATUS_CODES[status] ?? 'INVALID_INPUT';
    message = error.message;
  } else {
    status = 500;
    code = 'INTERNAL';
    message = 'internal error';
    logger.error({ err: error }, 'unhandled error');
  }
  if (status >= 500 && code !== 'INTERNAL')
    logger.warn({ code, status, msg: message }, 'request failed upstream');
  return { status, code, message, retryAfter: RETRY_AFTER_SECONDS[status] };
}

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
