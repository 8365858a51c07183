import { beforeAll, describe, expect, it } from 'vitest';
import { AUTH_MATRIX, CALLERS, UNTRUSTED, type CallerColumn, type Way } from '../auth-matrix.data.js';
import { OPENTALK_SECRET, OPS_SECRET, appApiAs, call, type Reply } from '../exapp-harness.js';
import { checkedAnswers } from '../openapi-check.js';
import { REALM, e2e, loadInfoXmlRoutes, runSyncAllJob, token } from './context.js';

/** What each caller sends: directly, or to Nextcloud (where a session cookie logs a user in). */
function credentials(caller: CallerColumn, way: Way): Record<string, string> {
  const nc = e2e.h.nc;
  const loggedIn = (user: string) => (way === 'direct' ? appApiAs(nc, user) : { cookie: nc.login(user) });
  switch (caller) {
    case 'anonymous':
      return {};
    case 'wrong secret':
      return { 'x-api-secret': 'not-the-secret-at-all-0000000000' };
    case 'forged AppAPI':
      return appApiAs(nc, 'admin', 'forged-secret');
    case 'replayed AppAPI':
      // A valid signature of another ExApp (its own id and secret), replayed here.
      return {
        ...appApiAs(nc, 'admin', 'opentalk-exapp-own-secret-0123456789'),
        'ex-app-id': 'opentalk',
      };
    case 'user':
      return loggedIn('carol');
    case 'admin':
      return loggedIn('admin');
    case 'consumer with op':
      return { 'x-api-secret': OPS_SECRET };
    case 'consumer without op':
      return { 'x-api-secret': OPENTALK_SECRET }; // token for opentalk only
    case 'AppAPI itself':
      return appApiAs(nc, '');
  }
}

async function send(way: Way, method: string, path: string, headers: Record<string, string>, body?: string) {
  const nc = e2e.h.nc;
  const prefix =
    way === 'HaRP' ? '/exapps/keycloak' : way === 'classic' ? '/index.php/apps/app_api/proxy/keycloak' : '';
  const base = way === 'direct' ? e2e.h.url : nc.url;
  // The matrix asks what each route answers each caller; HaRP's ban of the refusals it counts
  // (every test comes from 127.0.0.1) has its own test in proxy.ts.
  nc.harpBans.clear();
  nc.classicBruteforceAttempts.clear();
  try {
    return await call(base, method, `${prefix}${path}`, headers, body);
  } catch (error) {
    // Only a dropped connection is an answer ("drop"); anything else (an answer the OpenAPI
    // document does not allow, say) fails the test with its own message.
    if (!['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes((error as { code?: string }).code ?? ''))
      throw error;
    return { status: 0, headers: {}, body: undefined, text: '' } satisfies Reply;
  }
}

export function describeAuthMatrix(): void {
  describe('the auth matrix: every route × every caller, directly and through both proxies', () => {
    let resource = '';
    const privilegedToUntrusted: string[] = [];
    beforeAll(async () => {
      loadInfoXmlRoutes();
      const login = await call(
        e2e.h.url,
        'GET',
        `/realms/${REALM}/protocol/openid-connect/auth?client_id=opentalk&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('https://talk.example.test/cb')}&code_challenge_method=S256&code_challenge=${'a'.repeat(43)}&kc_idp_hint=`,
      );
      resource = /\/resources\/[^"'?\s]+\.css/.exec(login.text)?.[0] ?? '';
      expect(resource, 'a theme file on the login page').not.toBe('');
    });

    const ways: { way: Way; label: string; nextcloud?: string }[] = [
      { way: 'direct', label: 'directly' },
      { way: 'HaRP', label: 'through HaRP' },
      { way: 'classic', label: 'through the classic proxy of Nextcloud 31.0.9', nextcloud: '31.0.9' },
      { way: 'classic', label: 'through the classic proxy of Nextcloud 34.0.1', nextcloud: '34.0.1' },
    ];
    for (const { way, label, nextcloud } of ways) {
      describe(label, () => {
        beforeAll(() => {
          if (nextcloud) e2e.h.nc.version = nextcloud;
        });
        for (const row of AUTH_MATRIX) {
          it(
            row.name,
            async () => {
              const path = row.path.replace('<resource>', resource);
              const seen: Record<string, number> = {};
              const wanted: Record<string, number> = {};
              for (const [i, caller] of CALLERS.entries()) {
                const expected = row.expect[way][i];
                if (expected === null || expected === undefined) continue;
                const res = await send(
                  way,
                  row.method,
                  path,
                  { ...row.headers, ...credentials(caller, way) },
                  row.body,
                );
                seen[caller] = res.status;
                wanted[caller] = expected;
                if (row.privileged && UNTRUSTED.includes(caller) && res.status >= 200 && res.status < 300)
                  privilegedToUntrusted.push(`${label} ${row.name} × ${caller}`);
                if (way === 'direct' && res.status >= 400 && !path.startsWith('/realms/commonground'))
                  expect(res.body, `${row.name} × ${caller}`).toMatchObject({
                    code: expect.any(String),
                    error: expect.any(String),
                  });
              }
              expect(seen).toEqual(wanted);
            },
            120_000,
          );
        }
      });
    }

    it('gave no privileged answer to an anonymous or forged caller', () => {
      expect(privilegedToUntrusted).toEqual([]);
    });

    it('checked each of those answers against the OpenAPI document the server serves', async () => {
      // `call` validates every answer of /api/* and /metrics (status listed, body matching).
      expect(checkedAnswers.count).toBeGreaterThan(150);
      const served = await call(e2e.h.url, 'GET', '/api/openapi.json');
      expect(served.status).toBe(200);
      expect(served.body).toMatchObject({ openapi: '3.1.0', paths: { '/api/token': expect.any(Object) } });
    });

    it('wrote an audit line for every privileged operation, allowed and refused, with caller, target and request id', () => {
      const lines = e2e.h
        .logs()
        .split('\n')
        .filter((l) => l.includes('"audit"'))
        .map(
          (l) =>
            JSON.parse(l) as {
              audit: string;
              caller: string;
              target?: string;
              outcome: string;
              requestId?: string;
            },
        );
      const audited = (op: string, caller: string, outcome: (o: string) => boolean) =>
        lines.some((l) => l.audit === op && l.caller === caller && outcome(l.outcome));
      const refused = (code: string) => (o: string) => o === code;
      const allowed = (o: string) => !['UNAUTHENTICATED', 'FORBIDDEN'].includes(o);
      // /init and /enabled act on the whole ExApp: AppAPI's calls and every refusal are audited too.
      for (const op of ['init', 'enabled']) {
        expect(audited(op, 'nextcloud-system', allowed), op).toBe(true);
        expect(audited(op, 'unauthenticated', refused('UNAUTHENTICATED')), op).toBe(true);
        expect(audited(op, 'nextcloud-user:carol', refused('FORBIDDEN')), op).toBe(true);
      }
      for (const op of [
        'sync-user',
        'delete-user',
        'sync-all',
        'sync-all-job',
        'metrics',
        'keycloak-management',
        'keycloak-admin',
      ]) {
        const mine = lines.filter((l) => l.audit === op);
        expect(
          mine.every((l) => typeof l.requestId === 'string' && l.requestId.length > 0),
          op,
        ).toBe(true);
        expect(audited(op, 'unauthenticated', refused('UNAUTHENTICATED')), op).toBe(true);
        expect(audited(op, 'nextcloud-user:admin', allowed), op).toBe(true);
      }
      const deleted = lines.find(
        (l) =>
          l.audit === 'delete-user' && l.caller === 'consumer:operations' && l.target === 'never-existed',
      );
      expect(deleted).toMatchObject({ outcome: expect.any(String), requestId: expect.any(String) });
      expect(
        lines.some(
          (l) =>
            l.audit === 'keycloak-admin' &&
            l.target === 'GET /realms/master/.well-known/openid-configuration',
        ),
      ).toBe(true);
    });

    it('lets the operations consumer run a whole sync job and read it back', async () => {
      e2e.h.nc.version = '32.0.10';
      expect((await token('carol', 'valtimo', OPS_SECRET)).status).toBe(200);
      expect(await runSyncAllJob()).toBe('done');
    }, 120_000);
  });
}
