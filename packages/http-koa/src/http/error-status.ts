import type { ErrorCode } from '@keycloak-exapp/core';

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
