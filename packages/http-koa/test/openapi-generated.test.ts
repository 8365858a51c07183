// The OpenAPI document is generated from the routes' zod schemas (api-schemas.ts); it must say what
// the hand-written document it replaced said (test/fixtures/openapi-handwritten.json, the last
// hand-written version): same paths, operations, parameters, statuses, security, and schemas that
// accept and refuse the same answers. Spelling that JSON Schema treats alike is normalised first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '@keycloak-exapp/http-koa';

const handwritten = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'openapi-handwritten.json'), 'utf8'),
) as typeof OPENAPI_DOCUMENT;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * One spelling per meaning: `oneOf` of disjoint branches is `anyOf`; `additionalProperties: {}` and
 * `properties: {}` are their absence; an `enum` implies its `type`; zod's integer bounds (±2^53−1) are no bound; `required`
 * is a set. Descriptions are prose. Length and pattern constraints are dropped: the generated
 * document now states the ones the routes always enforced (user and client ids).
 */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (['description', 'minLength', 'maxLength', 'pattern', '$schema'].includes(key)) continue;
    const empty = typeof v === 'object' && v !== null && Object.keys(v).length === 0;
    if ((key === 'additionalProperties' || key === 'properties') && empty) continue;
    if ((key === 'maximum' && v === MAX_SAFE) || (key === 'minimum' && v === -MAX_SAFE)) continue;
    if (key === 'required' && Array.isArray(v)) {
      out[key] = [...(v as string[])].sort();
      continue;
    }
    out[key === 'oneOf' ? 'anyOf' : key] = normalise(v);
  }
  if ('enum' in out && out.type === 'string') delete out.type;
  return out;
}

/** Routes added after the migration: the hand-written document never had them. */
const ADDED_SINCE = new Set(['/api/status']);

describe('the generated OpenAPI document', () => {
  it('means what the hand-written one meant', () => {
    const paths = Object.fromEntries(
      Object.entries(OPENAPI_DOCUMENT.paths).filter(([path]) => !ADDED_SINCE.has(path)),
    );
    expect(Object.keys(OPENAPI_DOCUMENT.paths)).toEqual(expect.arrayContaining([...ADDED_SINCE]));
    expect(normalise({ ...OPENAPI_DOCUMENT, paths })).toEqual(normalise(handwritten));
  });

  it('states the id constraints the routes enforce', () => {
    const token = OPENAPI_DOCUMENT.paths['/api/token']!.post as {
      parameters: { name: string; schema: { pattern?: string; maxLength?: number } }[];
    };
    expect(token.parameters.find((p) => p.name === 'client_id')?.schema).toMatchObject({
      maxLength: 255,
      pattern: '^[A-Za-z0-9._:-]+$',
    });
    const body = (
      OPENAPI_DOCUMENT.paths['/api/sync-user']!.post as {
        requestBody: { content: { 'application/json': { schema: { properties: { user_id: unknown } } } } };
      }
    ).requestBody.content['application/json'].schema.properties.user_id;
    expect(body).toMatchObject({ type: 'string', minLength: 1, maxLength: 1024 });
  });
});
