import { describe, expect, it } from 'vitest';
import { OPS_SECRET, call } from '../exapp-harness.js';
import { e2e } from './context.js';

export function describeBadInput(): void {
  describe('bad input', () => {
    const cases: {
      name: string;
      method: string;
      path: string;
      headers: Record<string, string>;
      body?: string;
      status: number;
    }[] = [
      {
        name: '10 kB user id header',
        method: 'POST',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'a'.repeat(10_000) },
        status: 400,
      },
      {
        name: '10 kB secret header',
        method: 'POST',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': 's'.repeat(10_000), 'x-nc-user-id': 'alice' },
        status: 401,
      },
      {
        name: 'traversal user id',
        method: 'POST',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': '../../admin' },
        status: 404,
      },
      {
        // `cloud/users/..` reads `cloud/`: a dot-segment id never reaches Nextcloud.
        name: 'user id ".." in the header',
        method: 'POST',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': '..' },
        status: 400,
      },
      {
        name: 'user id "." in the body',
        method: 'POST',
        path: '/api/sync-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '{"user_id":"."}',
        status: 400,
      },
      {
        name: 'user id ".." in the body of delete-user',
        method: 'POST',
        path: '/api/delete-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '{"user_id":".."}',
        status: 400,
      },
      {
        name: 'encoded traversal in the body',
        method: 'POST',
        path: '/api/sync-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '{"user_id":"..%2F..%2Fadmin"}',
        status: 200,
      },
      {
        name: 'control character in the body id',
        method: 'POST',
        path: '/api/sync-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '{"user_id":"a\\u0000b"}',
        status: 400,
      },
      {
        name: 'invalid JSON',
        method: 'POST',
        path: '/api/sync-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '{"user_id":',
        status: 400,
      },
      {
        name: 'JSON that is not an object',
        method: 'POST',
        path: '/api/delete-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' },
        body: '["alice"]',
        status: 400,
      },
      {
        name: 'wrong content type',
        method: 'POST',
        path: '/api/sync-user',
        headers: { 'x-api-secret': OPS_SECRET, 'content-type': 'text/plain' },
        body: 'user_id=alice',
        status: 400,
      },
      {
        name: 'unknown query parameter',
        method: 'POST',
        path: '/api/token?client_id=opentalk&impersonate=admin',
        headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'alice' },
        status: 400,
      },
      {
        name: 'missing client id',
        method: 'POST',
        path: '/api/token',
        headers: { 'x-api-secret': OPS_SECRET, 'x-nc-user-id': 'alice' },
        status: 400,
      },
      {
        name: 'missing user id',
        method: 'POST',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': OPS_SECRET },
        status: 400,
      },
      {
        name: 'GET on the token route',
        method: 'GET',
        path: '/api/token?client_id=opentalk',
        headers: { 'x-api-secret': OPS_SECRET },
        status: 405,
      },
      { name: 'an unknown route', method: 'GET', path: '/api/nope', headers: {}, status: 404 },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status} with {error, code} and no stack`, async () => {
        const res = await call(e2e.h.url, c.method, c.path, c.headers, c.body);
        expect(res.status).toBe(c.status);
        if (c.status >= 400) {
          expect(res.body).toMatchObject({ error: expect.any(String), code: expect.any(String) });
          expect(res.text).not.toMatch(/at .*\.(js|ts):\d+/);
        }
      });
    }
    it('wrote nothing to Keycloak for rejected input', async () => {
      expect(await e2e.idp.findUserByUsername('..')).toBeUndefined();
      for (const id of ['../../admin', '..%2F..%2Fadmin', 'a'.repeat(10_000).slice(0, 1000)])
        expect(await e2e.idp.findUserByNextcloudId(id)).toBeUndefined();
    });
  });
}
