import type { ErrorCode } from './codes.js';

export interface AppErrorOptions {
  readonly cause?: unknown;
  /** Non-secret context that may be logged and shown (never a password, secret or token). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Base of everything thrown across a port or use-case boundary. The `code` is stable and survives
 * process boundaries where `instanceof` does not; it carries no HTTP status (decided at the edge).
 */
export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  readonly retryable: boolean = false;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.details = opts.details;
    // Keep bulky or vendor causes out of enumeration so a logged error stays small.
    Object.defineProperty(this, 'cause', { enumerable: false, value: opts.cause, writable: true });
  }
}

export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof Error && typeof (value as { code?: unknown }).code === 'string' && 'retryable' in value
  );
}
