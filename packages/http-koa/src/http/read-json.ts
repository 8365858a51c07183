import type { Context } from 'koa';
import { InvalidInputError, userIdSchema } from '@keycloak-exapp/core';

const LIMIT = 64 * 1024;

/** Reads a small JSON object body; wrong content type, oversize and invalid JSON are 400. */
export async function readJsonObject(ctx: Context): Promise<Record<string, unknown>> {
  const length = Number(ctx.get('content-length') || '0');
  const chunked = ctx.get('transfer-encoding') !== '';
  if (length === 0 && !chunked) return {};
  if (!ctx.is('application/json')) throw new InvalidInputError('the body must be application/json');
  if (length > LIMIT) throw new InvalidInputError(`the body is larger than ${LIMIT} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new InvalidInputError(`the body is larger than ${LIMIT} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new InvalidInputError('the body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidInputError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Rejects query parameters a route does not know (typos must not pass silently). */
export function assertQuery(ctx: Context, allowed: readonly string[]): void {
  for (const key of Object.keys(ctx.query)) {
    if (!allowed.includes(key)) throw new InvalidInputError(`unknown query parameter "${key}"`);
  }
}

/** A body over the limit: 413, before any of it is passed on. */
export class PayloadTooLargeError extends Error {
  readonly status = 413;
  readonly expose = true;
  constructor(limit: number) {
    super(`the body is larger than ${limit} bytes`);
  }
}

/** Reads a whole body of at most `limit` bytes (413 past it). */
export async function readBodyLimited(stream: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new PayloadTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * State-changing calls of a caller authenticated by its Nextcloud session (which a browser sends
 * along with a cross-site form post) must say `Content-Type: application/json`, which such a form
 * cannot: 415 otherwise. A consumer's `X-API-SECRET` is a header no form can send.
 */
export function assertJsonIfSession(ctx: Context, callerKind: string): void {
  if (callerKind === 'consumer') return;
  const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
  if (type !== 'application/json')
    throw Object.assign(new Error('state-changing calls need Content-Type: application/json'), {
      status: 415,
      expose: true,
    });
}

/** A Nextcloud user id from a body field or a header (`where` names it in the error). */
export function parseUserId(value: unknown, where: string): string {
  const parsed = userIdSchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidInputError(`${where}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}
