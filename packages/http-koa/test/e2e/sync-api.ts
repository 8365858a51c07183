import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, OPS_SECRET, call } from '../exapp-harness.js';
import { e2e, runSyncAllJob, token } from './context.js';

const ops = { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' };

/** Sync on demand: a user Nextcloud gains, loses and forgets, through `/api/sync-*`. */
export function describeSyncApi(): void {
  describe('sync on demand', () => {
    it('creates a user added in Nextcloud after init with /api/sync-user, who then gets tokens', async () => {
      e2e.h.nc.addUser({
        id: 'erin',
        displayName: 'Erin Eck',
        email: 'erin@example.test',
        groups: ['staff'],
      });
      const res = await call(e2e.h.url, 'POST', '/api/sync-user', ops, JSON.stringify({ user_id: 'erin' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user_id: 'erin', outcome: 'create' });
      expect(await e2e.idp.findUserByNextcloudId('erin')).toMatchObject({ enabled: true, groups: ['staff'] });
      expect((await token('erin', 'opentalk', OPENTALK_SECRET)).status).toBe(200);
    });

    it('disables a user removed from Nextcloud on the next /api/sync-all, and refuses them tokens', async () => {
      e2e.h.nc.users.remove('erin');
      expect(await runSyncAllJob()).toBe('done');
      expect(await e2e.idp.findUserByNextcloudId('erin')).toMatchObject({ enabled: false });
      await new Promise((r) => setTimeout(r, 1_100)); // DIRECTORY_TTL_SECONDS=1
      expect((await token('erin', 'opentalk', OPENTALK_SECRET)).body.code).toBe('USER_NOT_FOUND');
    }, 90_000);

    it('removes the user from Keycloak with /api/delete-user', async () => {
      const res = await call(e2e.h.url, 'POST', '/api/delete-user', ops, JSON.stringify({ user_id: 'erin' }));
      expect(res.status).toBe(200);
      expect(await e2e.idp.findUserByNextcloudId('erin')).toBeUndefined();
    });
  });
}
