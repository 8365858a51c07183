import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '@keycloak-exapp/http-koa';
import { assertMatchesOpenApi } from './openapi-check.js';
import { exAppApiRouter, metricsRoutes } from '../src/routes/api.routes.js';
import { statusRoutes } from '../src/routes/status.routes.js';

/** Every `METHOD path` the API's routers register (`:id` spelled `{id}`), HEAD left out. */
function registeredOperations(): string[] {
  const deps = { metrics: {}, readiness: {}, passes: {}, consumers: () => [] } as never;
  return [exAppApiRouter(deps), metricsRoutes(deps), statusRoutes(deps)]
    .flatMap((router) => router.stack)
    .flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD')
        .map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
    )
    .sort();
}

describe('the OpenAPI 3.1 document of /api/*', () => {
  it('documents exactly the operations the routers register, no more and no fewer', () => {
    const documented = Object.entries(OPENAPI_DOCUMENT.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(registeredOperations());
  });

  it('covers every route of the API and /metrics, each with its security and error answers', () => {
    expect(OPENAPI_DOCUMENT.openapi).toBe('3.1.0');
    expect(Object.keys(OPENAPI_DOCUMENT.paths).sort()).toEqual(
      [
        '/api/delete-user',
        '/api/openapi.json',
        '/api/sync-all',
        '/api/sync-all/jobs/{id}',
        '/api/sync-user',
        '/api/status',
        '/api/token',
        '/metrics',
      ].sort(),
    );
    for (const [path, operations] of Object.entries(OPENAPI_DOCUMENT.paths)) {
      for (const op of Object.values(operations) as {
        security: unknown[];
        responses: Record<string, unknown>;
      }[]) {
        if (path === '/api/openapi.json') continue;
        expect(op.security, path).toEqual([{ consumerSecret: [] }, { appApi: [] }]);
        for (const status of ['401', '403', '429', '503'])
          expect(op.responses, `${path} ${status}`).toHaveProperty(status);
      }
    }
  });

  it('compiles: every schema and every $ref in it resolves', () => {
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ ...OPENAPI_DOCUMENT, $id: 'doc' });
    for (const name of Object.keys(OPENAPI_DOCUMENT.components.schemas))
      expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
  });

  it('catches an answer that breaks it: an undocumented status, a missing field, an unknown error code', () => {
    const url = new URL('http://127.0.0.1/api/token?client_id=opentalk');
    const json = 'application/json; charset=utf-8';
    expect(() => assertMatchesOpenApi('POST', url, 418, json, '{}')).toThrow(/does not list/);
    expect(() => assertMatchesOpenApi('POST', url, 200, json, '{"access_token":"a"}')).toThrow(
      /does not match/,
    );
    expect(() => assertMatchesOpenApi('POST', url, 401, json, '{"error":"x","code":"NOPE"}')).toThrow(
      /does not match/,
    );
    expect(() =>
      assertMatchesOpenApi('POST', url, 401, json, '{"error":"x","code":"UNAUTHENTICATED","requestId":"r"}'),
    ).not.toThrow();
    // A proxy's own refusal is not the server's answer.
    const harp = new URL('http://127.0.0.1/exapps/keycloak/metrics');
    expect(() => assertMatchesOpenApi('GET', harp, 403, 'text/plain', '403 Forbidden')).not.toThrow();
  });
});
