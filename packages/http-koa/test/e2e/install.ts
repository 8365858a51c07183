import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, call } from '../exapp-harness.js';
import { REALM, e2e, token, idpFor, keycloakStates } from './context.js';

export function describeInstall(): void {
  describe('install through AppAPI', () => {
    it('answers the heartbeat before init', async () => {
      const beat = await call(e2e.h.url, 'GET', '/heartbeat');
      expect(beat.status).toBe(200);
      expect(beat.body).toMatchObject({ status: 'ok', keycloak: keycloakStates().beforeInit });
    });

    it('refuses the API with 503 and Retry-After until init has run', async () => {
      const res = await token('alice', 'opentalk', OPENTALK_SECRET);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toMatchObject({ code: 'NOT_READY' });
    });

    it('runs heartbeat → init to 100 → enabled, with Keycloak, realm, clients, users and the top menu in place', async () => {
      const { progress, error } = await e2e.h.nc.appApi.install({ timeoutMs: 480_000 });
      expect(error).toBe('');
      expect(progress[0]).toBe(0);
      expect(progress.at(-1)).toBe(100);
      for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
      expect(e2e.h.nc.appApi.enabledCalls).toEqual([{ enabled: true, error: '' }]);
      expect(e2e.h.nc.topMenus.get('keycloak')).toMatchObject({ admin_required: 1 });
      expect([...e2e.h.nc.scripts.values()][0]).toMatchObject({
        type: 'top_menu',
        path: 'js/keycloak-admin',
      });
      expect((await call(e2e.h.url, 'GET', '/heartbeat')).body).toMatchObject({
        keycloak: keycloakStates().afterInit,
      });

      e2e.idp = idpFor();
      const clients = JSON.parse(
        (await e2e.kcHttp.admin('GET', `admin/realms/${REALM}/clients`, { what: 't' })).body,
      ).map((c: { clientId: string }) => c.clientId);
      expect(clients).toEqual(
        expect.arrayContaining([
          'opentalk',
          'opentalk-controller',
          'openzaak',
          'openklant',
          'valtimo',
          'nextcloud',
        ]),
      );
      for (const id of ['admin', 'alice', 'bob', 'Zoë', 'carol', 'dave'])
        expect(await e2e.idp.findUserByNextcloudId(id), id).toMatchObject({ enabled: true });
    }, 600_000);

    it('is safe to init twice', async () => {
      // As AppAPI runs it (progress back to 0 first), so the poll waits for this init's end: a
      // realm reconcile still running would race the tests after this one.
      const again = await e2e.h.nc.appApi.init();
      expect(again.status).toBe(200);
      await expect.poll(() => e2e.h.nc.initStatus.progress, { timeout: 60_000 }).toBe(100);
      expect(e2e.h.nc.initStatus.error).toBe('');
    }, 120_000);
  });
}
