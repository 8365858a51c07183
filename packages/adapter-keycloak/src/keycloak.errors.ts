import { HTTPError, RequestError } from 'got';
import {
  AppError,
  CancelledError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnauthorizedError,
  UpstreamUnavailableError,
} from '@keycloak-exapp/core';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Keycloak's error text from a JSON body (`errorMessage`, `error_description`, `error`), if any. */
export function keycloakErrorText(body: unknown): string | undefined {
  if (typeof body === 'string') {
    try {
      return keycloakErrorText(JSON.parse(body) as unknown);
    } catch {
      return undefined;
    }
  }
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const key of ['errorMessage', 'error_description', 'error'])
      if (typeof b[key] === 'string') return b[key];
  }
  return undefined;
}

/**
 * Translates got's errors into core errors at the adapter's edge. The vendor error is kept only as
 * `cause` (non-enumerable), so no response body or header reaches a log line through us.
 */
export function translateKeycloakError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const text = keycloakErrorText(error.response.body);
    const message = `${what}: Keycloak answered ${status}${text ? ` (${text})` : ''}`;
    if (status === 404) return new NotFoundError(message, { cause: error });
    if (status === 409) return new ConflictError(message, { cause: error });
    if (status === 400) return new InvalidInputError(message, { cause: error });
    if (status === 401 || status === 403) return new UpstreamUnauthorizedError(message, { cause: error });
    if (status === 429) return new RateLimitedError(message, { cause: error });
    if (status >= 500) return new UpstreamUnavailableError(message, { cause: error });
    return new UpstreamError(message, { cause: error });
  }
  if (error instanceof RequestError) {
    if (error.code === 'ETIMEDOUT')
      return new UpstreamTimeoutError(`${what}: Keycloak did not answer in time`, { cause: error });
    if (error.code === 'ERR_ABORTED' || error.name === 'AbortError')
      return new CancelledError(`${what}: cancelled`, { cause: error });
    if (UNREACHABLE.has(error.code))
      return new UpstreamUnavailableError(`${what}: Keycloak is unreachable (${error.code})`, {
        cause: error,
      });
    return new UpstreamError(`${what}: ${error.code}`, { cause: error });
  }
  if (error instanceof Error && error.name === 'AbortError')
    return new CancelledError(`${what}: cancelled`, { cause: error });
  return new UpstreamError(`${what}: unexpected failure`, { cause: error });
}
