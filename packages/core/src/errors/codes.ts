/**
 * Every stable error code the core can raise. Edges (HTTP status, CLI exit code) map this union
 * exhaustively, so adding a code without deciding its status fails to compile.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CLIENT_NOT_ALLOWED',
  'USER_NOT_FOUND',
  'USER_DISABLED',
  'NOT_FOUND',
  'CONFLICT',
  'INVALID_CREDENTIALS',
  'INVALID_GRANT',
  'ACCOUNT_DISABLED',
  'ACCOUNT_NOT_FULLY_SET_UP',
  'RATE_LIMITED',
  'OVERLOADED',
  'UPSTREAM_UNAUTHORIZED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_ERROR',
  'NOT_READY',
  'PROCESS_FAILED',
  'CONFIGURATION',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
