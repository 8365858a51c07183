// One writer of users (UserAccountWriter): the plan a dry run shows is the one a write follows,
// and the guard against an empty listing is the same on both passes.
import { describe, expect, it } from 'vitest';
import { CheapSyncPass, DeleteUser, Secret, SyncUser } from '@keycloak-exapp/core';
import { directoryUser, world } from './harness.js';

describe('writes of one user', () => {
  it('a dry run of sync-user says what the write would do and writes nothing; the write then does it', async () => {
    const w = await world({ users: [directoryUser('ann')] });
    await w.sync.execute();
    w.directory.update('ann', { displayName: 'Ann Renamed' });
    const syncUser = new SyncUser({ identityProvider: w.idp, userDirectory: w.directory });
    w.idp.resetCounters();
    expect(await syncUser.execute({ userId: 'ann', dryRun: true })).toEqual({
      userId: 'ann',
      outcome: 'update',
    });
    expect(w.idp.writeCount).toBe(0);
    expect(await syncUser.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'update' });
    expect(w.idp.writeCount).toBeGreaterThan(0);
    expect((await w.idp.findUserByNextcloudId('ann'))?.firstName).toBe('Ann');
    expect(await syncUser.execute({ userId: 'ann', dryRun: true })).toEqual({
      userId: 'ann',
      outcome: 'unchanged',
    });
  });

  it('both passes refuse, with the same words, to deprovision anyone on an empty listing', async () => {
    const w = await world({ users: [directoryUser('ann'), directoryUser('bob')] });
    await w.sync.execute();
    w.directory.remove('ann');
    w.directory.remove('bob');
    w.idp.resetCounters();
    const words = /listed no users; refusing to deprovision 2 managed users/;
    await expect(w.sync.execute()).rejects.toThrow(words);
    const cheap = new CheapSyncPass({
      identityProvider: w.idp,
      userDirectory: w.directory,
      syncUser: new SyncUser({ identityProvider: w.idp, userDirectory: w.directory }),
    });
    await expect(cheap.execute()).rejects.toThrow(words);
    expect(w.idp.writeCount).toBe(0);
    expect((await w.idp.findUserByNextcloudId('ann'))?.enabled).toBe(true);
  });

  it("a delete ends the user's sessions first (so Keycloak sends the consumers' logout tokens), then deletes", async () => {
    const w = await world({ users: [directoryUser('ann')] });
    await w.sync.execute();
    const ann = (await w.idp.findUserByNextcloudId('ann'))!;
    await w.idp.setPassword(ann.id, new Secret('pw-0123456789'), 'k1');
    await w.idp.passwordGrant({
      clientId: 'opentalk',
      username: ann.username,
      password: new Secret('pw-0123456789'),
    });
    expect(w.idp.activeSessionCount(ann.id)).toBe(1);
    w.idp.resetCounters();
    const ended: number[] = [];
    const revoke = w.idp.revokeSessions.bind(w.idp);
    w.idp.revokeSessions = async (id, opts) => {
      await revoke(id, opts);
      ended.push(w.idp.calls('deleteUser'));
    };
    expect(await new DeleteUser({ identityProvider: w.idp }).execute({ userId: 'ann' })).toEqual({
      userId: 'ann',
      outcome: 'deleted',
    });
    expect(ended).toEqual([0]); // once, before the delete
    expect(w.idp.activeSessionCount(ann.id)).toBe(0);
    expect(await w.idp.findUserByNextcloudId('ann')).toBeUndefined();
  });
});
