import type { Context } from 'koa';
import { InvalidInputError } from '@keycloak-exapp/core';

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
