import type { ErrorCode } from '@keycloak-exapp/core';

/**
 * Every exit code of `keycloak-exapp`, in one table:
 * 0 ok · 1 internal error · 2 usage or configuration · 3 user or object not found ·
 * 4 not allowed (disabled, client not allowed) · 5 credentials rejected · 6 upstream unavailable,
 * slow or not ready · 7 conflict · 8 Keycloak refused a grant · 9 doctor found a problem ·
 * 130 interrupted (Ctrl-C).
 */
export const EXIT = { ok: 0, internal: 1, usage: 2, doctorFailed: 9, interrupted: 130 } as const;

export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 2,
  CONFIGURATION: 2,
  USER_NOT_FOUND: 3,
  NOT_FOUND: 3,
  UNAUTHENTICATED: 5,
  UPSTREAM_UNAUTHORIZED: 5,
  FORBIDDEN: 4,
  CLIENT_NOT_ALLOWED: 4,
  USER_DISABLED: 4,
  ACCOUNT_DISABLED: 4,
  CONFLICT: 7,
  INVALID_CREDENTIALS: 8,
  INVALID_GRANT: 8,
  ACCOUNT_NOT_FULLY_SET_UP: 8,
  RATE_LIMITED: 6,
  OVERLOADED: 6,
  UPSTREAM_UNAVAILABLE: 6,
  UPSTREAM_TIMEOUT: 6,
  UPSTREAM_ERROR: 6,
  NOT_READY: 6,
  PROCESS_FAILED: 6,
  CANCELLED: 130,
  INTERNAL: 1,
};
