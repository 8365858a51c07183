import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, OPS_SECRET, call } from '../exapp-harness.js';
import { e2e, runSyncAllJob, token } from './context.js';

const ops = { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' };

/** A user Nextcloud has from now on, synced with `/api/sync-user` (each test its own user). */
async function syncedUser(id: string): Promise<void> {
  e2e.h.nc.addUser({ id, displayName: `${id} Eck`, email: `${id}@example.test`, groups: ['staff'] });
  const res = await call(e2e.h.url, 'POST', '/api/sync-user', ops, JSON.stringify({ user_id: id }));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ user_id: id, outcome: 'create' });
}

/** Sync on demand: a user Nextcloud gains, loses and forgets, through `/api/sync-*`. */
export function describeSyncApi(): void {
  describe('sync on demand', () => {
    it('creates a user added in Nextcloud after init with /api/sync-user, who then gets tokens', async () => {
      await syncedUser('erin');
      expect(await e2e.idp.findUserByNextcloudId('erin')).toMatchObject({ enabled: true, groups: ['staff'] });
      expect((await token('erin', 'opentalk', OPENTALK_SECRET)).status).toBe(200);
    });

    it('disables a user removed from Nextcloud on the next /api/sync-all, who loses access at once', async () => {
      await syncedUser('fenna');
      expect((await token('fenna', 'opentalk', OPENTALK_SECRET)).status).toBe(200);
      e2e.h.nc.users.remove('fenna');
      expect(await runSyncAllJob()).toBe('done');
      expect(await e2e.idp.findUserByNextcloudId('fenna')).toMatchObject({ enabled: false });
      // No waiting for the directory check to expire: the sync that disabled her forgot her tokens.
      expect((await token('fenna', 'opentalk', OPENTALK_SECRET)).body.code).toBe('USER_NOT_FOUND');
    }, 90_000);

    it('removes a user from Keycloak with /api/delete-user', async () => {
      await syncedUser('gijs');
      e2e.h.nc.users.remove('gijs');
      const res = await call(e2e.h.url, 'POST', '/api/delete-user', ops, JSON.stringify({ user_id: 'gijs' }));
      expect(res.status).toBe(200);
      expect(await e2e.idp.findUserByNextcloudId('gijs')).toBeUndefined();
    });
  });
}
