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
 * What is kept of one of got's errors: its kind, code, method and path (no query, header or body).
 * got's own error holds the request's options, with the bearer token or the client secret of a
 * grant in them: it must not travel as a cause into a log line or a test report.
 */
function vendorCause(error: RequestError): Error {
  const { method } = error.options;
  const url = error.options.url;
  const path = url instanceof URL ? url.pathname : '';
  const status = error instanceof HTTPError ? ` → ${error.response.statusCode}` : '';
  return Object.assign(new Error(`${error.name} ${error.code}: ${method} ${path}${status}`), {
    code: error.code,
  });
}

/**
 * Translates got's errors into core errors at the adapter's edge. Only a summary of the vendor
 * error is kept as `cause` (non-enumerable): no response body, header or credential reaches a log
 * line or a test report through us.
 */
export function translateKeycloakError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof RequestError) return translateRequestError(error, vendorCause(error), what);
  if (error instanceof Error && error.name === 'AbortError')
    return new CancelledError(`${what}: cancelled`, { cause: error });
  return new UpstreamError(`${what}: unexpected failure`, { cause: error });
}

function translateRequestError(error: RequestError, cause: Error, what: string): AppError {
  if (error instanceof HTTPError) {
    const status = error.response.statusCode;
    const text = keycloakErrorText(error.response.body);
    const message = `${what}: Keycloak answered ${status}${text ? ` (${text})` : ''}`;
    if (status === 404) return new NotFoundError(message, { cause });
    if (status === 409) return new ConflictError(message, { cause });
    if (status === 400) return new InvalidInputError(message, { cause });
    if (status === 401 || status === 403) return new UpstreamUnauthorizedError(message, { cause });
    if (status === 429) return new RateLimitedError(message, { cause });
    if (status >= 500) return new UpstreamUnavailableError(message, { cause });
    return new UpstreamError(message, { cause });
  }
  if (error.code === 'ETIMEDOUT')
    return new UpstreamTimeoutError(`${what}: Keycloak did not answer in time`, { cause });
  if (error.code === 'ERR_ABORTED' || error.name === 'AbortError')
    return new CancelledError(`${what}: cancelled`, { cause });
  if (UNREACHABLE.has(error.code))
    return new UpstreamUnavailableError(`${what}: Keycloak is unreachable (${error.code})`, { cause });
  return new UpstreamError(`${what}: ${error.code}`, { cause });
}
