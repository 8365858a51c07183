import type { Context, Middleware } from 'koa';
import { toAppError } from '@keycloak-exapp/core';
import { describeCaller, type Caller, type SignInBrokerCaller } from './caller.js';

/** What a privileged request did, for its audit line. */
export interface AuditRecord {
  readonly op: string;
  caller?: Caller | SignInBrokerCaller;
  target?: string;
  outcome?: string;
}

declare module 'koa' {
  interface DefaultState {
    audit?: AuditRecord;
  }
}

/** Starts the audit record of a privileged operation; the `audited` middleware writes it. */
export function auditAs(ctx: Context, op: string): AuditRecord {
  const record: AuditRecord = { op };
  ctx.state.audit = record;
  return record;
}

/**
 * Writes one info line per privileged request, allowed or refused: the operation, who called
 * (a consumer's name or a Nextcloud user's id, never a secret), the target, the outcome (`ok`, a
 * result such as `deleted`, or the error code) and the request id.
 */
export function audited(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      writeAudit(ctx, toAppError(error).code);
      throw error;
    }
    writeAudit(ctx, undefined);
  };
}

export function writeAudit(ctx: Context, errorCode: string | undefined): void {
  const record = ctx.state.audit;
  if (!record) return;
  ctx.state.audit = undefined;
  ctx.state.logger.info(
    {
      audit: record.op,
      caller: record.caller ? describeCaller(record.caller) : 'unauthenticated',
      target: record.target,
      outcome: errorCode ?? record.outcome ?? 'ok',
      requestId: ctx.state.requestId,
    },
    'audit',
  );
}
