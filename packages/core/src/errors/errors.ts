import { AppError, type AppErrorOptions } from './app-error.js';

export class InvalidInputError extends AppError {
  readonly code = 'INVALID_INPUT' as const;
}
export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED' as const;
}
export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const;
}
export class ClientNotAllowedError extends AppError {
  readonly code = 'CLIENT_NOT_ALLOWED' as const;
  constructor(clientId: string, opts: AppErrorOptions = {}) {
    super(`client_id "${clientId}" is not on the allow-list`, { ...opts, details: { clientId } });
  }
}
/** The user is unknown to the user directory (Nextcloud). */
export class UserNotFoundError extends AppError {
  readonly code = 'USER_NOT_FOUND' as const;
  constructor(userId: string, opts: AppErrorOptions = {}) {
    super(`user "${userId}" does not exist in the user directory`, { ...opts, details: { userId } });
  }
}
/** The user is disabled in the user directory (Nextcloud). */
export class UserDisabledError extends AppError {
  readonly code = 'USER_DISABLED' as const;
  constructor(userId: string, opts: AppErrorOptions = {}) {
    super(`user "${userId}" is disabled`, { ...opts, details: { userId } });
  }
}
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
}
export class ConflictError extends AppError {
  readonly code = 'CONFLICT' as const;
}
/** The identity provider rejected the user's password (for us: a stale derived password). */
export class InvalidCredentialsError extends AppError {
  readonly code = 'INVALID_CREDENTIALS' as const;
}
/** A refresh token (or other grant) is expired, revoked or belongs to a dead session. */
export class InvalidGrantError extends AppError {
  readonly code = 'INVALID_GRANT' as const;
}
export class AccountDisabledError extends AppError {
  readonly code = 'ACCOUNT_DISABLED' as const;
}
export class AccountNotFullySetUpError extends AppError {
  readonly code = 'ACCOUNT_NOT_FULLY_SET_UP' as const;
}
export class RateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED' as const;
  override readonly retryable = true;
}
/** Our own credentials towards an upstream are wrong (admin client, AppAPI secret, acting user). */
export class UpstreamUnauthorizedError extends AppError {
  readonly code = 'UPSTREAM_UNAUTHORIZED' as const;
}
export class UpstreamUnavailableError extends AppError {
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  override readonly retryable = true;
}
/** Too much work is already queued here; the caller should come back shortly. */
export class OverloadedError extends AppError {
  readonly code = 'OVERLOADED' as const;
  override readonly retryable = true;
}
export class UpstreamTimeoutError extends AppError {
  readonly code = 'UPSTREAM_TIMEOUT' as const;
  override readonly retryable = true;
}
/** The upstream answered something we cannot use (unexpected status, malformed body). */
export class UpstreamError extends AppError {
  readonly code = 'UPSTREAM_ERROR' as const;
}
export class NotReadyError extends AppError {
  readonly code = 'NOT_READY' as const;
  override readonly retryable = true;
}
export class ProcessFailedError extends AppError {
  readonly code = 'PROCESS_FAILED' as const;
}
export class ConfigurationError extends AppError {
  readonly code = 'CONFIGURATION' as const;
}
export class CancelledError extends AppError {
  readonly code = 'CANCELLED' as const;
}
export class InternalError extends AppError {
  readonly code = 'INTERNAL' as const;
}

/** Re-throws a known AppError as is; wraps anything else once, keeping it as `cause`. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Error && error.name === 'AbortError')
    return new CancelledError('operation cancelled', { cause: error });
  return new InternalError('unexpected error', { cause: error });
}
