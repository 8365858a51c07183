import { isAppError, type ErrorCode, type Logger } from '@keycloak-exapp/core';

/** The HTTP status of every core error code; exhaustive, so a new code must be decided here. */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CLIENT_NOT_ALLOWED: 403,
  USER_NOT_FOUND: 404,
  USER_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_CREDENTIALS: 502,
  INVALID_GRANT: 502,
  ACCOUNT_DISABLED: 403,
  ACCOUNT_NOT_FULLY_SET_UP: 502,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  UPSTREAM_UNAUTHORIZED: 502,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_ERROR: 502,
  NOT_READY: 503,
  PROCESS_FAILED: 503,
  CONFIGURATION: 500,
  CANCELLED: 503,
  INTERNAL: 500,
};

/** Statuses that tell the caller to come back later. */
export const RETRY_AFTER_SECONDS: Partial<Record<number, number>> = { 429: 5, 503: 5, 504: 5 };

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
