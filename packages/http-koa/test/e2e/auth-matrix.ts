import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, OPS_SECRET, appApiAs, call } from '../exapp-harness.js';
import { e2e, token } from './context.js';

export function describeAuthMatrix(): void {
  describe('the auth matrix', () => {
    type Cred = 'none' | 'wrongSecret' | 'otherConsumer' | 'forgedAppApi' | 'user' | 'admin' | 'system';
    const creds: Record<Cred, () => Record<string, string>> = {
      none: () => ({}),
      wrongSecret: () => ({ 'x-api-secret': 'not-the-secret-at-all-0000000000' }),
      otherConsumer: () => ({ 'x-api-secret': OPENTALK_SECRET }), // may only get opentalk tokens
      forgedAppApi: () => ({ ...appApiAs(e2e.h.nc, 'admin', 'forged-secret'), 'x-api-secret': OPS_SECRET }),
      user: () => appApiAs(e2e.h.nc, 'carol'),
      admin: () => appApiAs(e2e.h.nc, 'admin'),
      system: () => appApiAs(e2e.h.nc, ''),
    };
    const json = { 'content-type': 'application/json' };
    const routes: {
      name: string;
      method: string;
      path: string;
      headers?: Record<string, string>;
      body?: string;
      expect: Record<Cred, number>;
    }[] = [
      {
        name: 'token for carol, client valtimo',
        method: 'POST',
        path: '/api/token?client_id=valtimo',
        headers: { 'x-nc-user-id': 'carol' },
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 200,
          admin: 403,
          system: 403,
        },
      },
      {
        name: 'sync-user',
        method: 'POST',
        path: '/api/sync-user',
        headers: json,
        body: JSON.stringify({ user_id: 'dave' }),
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 403,
          admin: 200,
          system: 200,
        },
      },
      {
        name: 'delete-user',
        method: 'POST',
        path: '/api/delete-user',
        headers: json,
        body: JSON.stringify({ user_id: 'never-existed' }),
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 403,
          admin: 200,
          system: 200,
        },
      },
      {
        name: 'sync-all (async)',
        method: 'POST',
        path: '/api/sync-all?async=1',
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 403,
          admin: 202,
          system: 202,
        },
      },
      {
        name: 'init',
        method: 'POST',
        path: '/init',
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 403,
          admin: 403,
          system: 200,
        },
      },
      {
        name: 'enabled',
        method: 'PUT',
        path: '/enabled?enabled=1',
        expect: {
          none: 401,
          wrongSecret: 401,
          otherConsumer: 403,
          forgedAppApi: 401,
          user: 403,
          admin: 403,
          system: 200,
        },
      },
    ];
    for (const route of routes) {
      for (const cred of Object.keys(route.expect) as Cred[]) {
        it(`${route.name} × ${cred} → ${route.expect[cred]}`, async () => {
          const res = await call(
            e2e.h.url,
            route.method,
            route.path,
            { ...route.headers, ...creds[cred]() },
            route.body,
          );
          expect(res.status).toBe(route.expect[cred]);
          if (res.status >= 400)
            expect(res.body).toMatchObject({ code: expect.any(String), error: expect.any(String) });
        }, 120_000);
      }
    }
    it('lets the operations consumer do everything it is allowed to', async () => {
      expect((await token('carol', 'valtimo', OPS_SECRET)).status).toBe(200);
      const job = await call(e2e.h.url, 'POST', '/api/sync-all?async=1', { 'x-api-secret': OPS_SECRET });
      expect(job.status).toBe(202);
      await expect
        .poll(
          async () =>
            (
              await call(e2e.h.url, 'GET', `/api/sync-all/jobs/${job.body.job_id}`, {
                'x-api-secret': OPS_SECRET,
              })
            ).body.status,
          { timeout: 60_000 },
        )
        .toBe('done');
    }, 120_000);
  });
}
