import { describe, expect, it } from 'vitest';
import { SyncAllUsers, SyncUser, DeleteUser, usernameForNextcloudId } from '@keycloak-exapp/core';
import { ManualClock } from '@keycloak-exapp/core/testing';
import { directoryUser, world } from './harness.js';

const many = (n: number) => Array.from({ length: n }, (_, i) => directoryUser(`user${i}`));

describe('SyncAllUsers', () => {
  it('creates every directory user without setting a password', async () => {
    const w = await world({ users: many(25) });
    const report = await w.sync.execute();
    expect(report).toMatchObject({ total: 25, created: 25, updated: 0, unchanged: 0, failed: [] });
    expect(w.idp.calls('setPassword')).toBe(0);
    expect((await w.idp.findUserByNextcloudId('user3'))?.groups).toEqual(['staff']);
  });

  it('makes zero writes when nothing changed', async () => {
    const w = await world({ users: many(30) });
    await w.sync.execute();
    w.idp.resetCounters();
    const report = await w.sync.execute();
    expect(report).toMatchObject({ unchanged: 30, created: 0, updated: 0, disabled: 0 });
    expect(w.idp.writeCount).toBe(0);
  });

  it('updates only the users that changed', async () => {
    const w = await world({ users: many(10) });
    await w.sync.execute();
    w.directory.update('user1', { displayName: 'Someone Else' });
    w.directory.update('user2', { groups: ['staff', 'board'] });
    w.idp.resetCounters();
    const report = await w.sync.execute();
    expect(report).toMatchObject({ updated: 2, unchanged: 8 });
    expect(w.idp.calls('updateUser')).toBe(2);
    expect((await w.idp.findUserByNextcloudId('user2'))?.groups).toEqual(['board', 'staff']);
  });

  it('disables and signs out a user disabled in the directory', async () => {
    const w = await world({ users: many(3) });
    await w.sync.execute();
    await w.token.execute({ userId: 'user0', clientId: 'opentalk' });
    const kc = await w.idp.findUserByNextcloudId('user0');
    expect(w.idp.activeSessionCount(kc!.id)).toBe(1);
    w.directory.update('user0', { enabled: false });
    const report = await w.sync.execute();
    expect(report.updated).toBe(1);
    expect((await w.idp.findUserByNextcloudId('user0'))?.enabled).toBe(false);
    expect(w.idp.activeSessionCount(kc!.id)).toBe(0);
    expect(w.cache.getTokens('user0', 'opentalk')).toBeUndefined();
  });

  it('disables a user deleted from the directory and never touches an unmanaged user of the same name', async () => {
    const w = await world({ users: [directoryUser('gone'), directoryUser('stay')] });
    await w.sync.execute();
    w.directory.remove('gone');
    const handMade = w.idp.addUnmanagedUser('handmade');
    const report = await w.sync.execute();
    expect(report).toMatchObject({ disabled: 1, deleted: 0 });
    expect((await w.idp.findUserByNextcloudId('gone'))?.enabled).toBe(false);
    expect(await w.idp.findUserByUsername('handmade')).toMatchObject({
      id: handMade.id,
      enabled: true,
      nextcloudId: null,
    });
  });

  it('leaves an unmanaged user alone even when a directory user maps to its username', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const handMade = w.idp.addUnmanagedUser(await usernameForNextcloudId('alice'));
    const report = await w.sync.execute();
    expect(report.failed).toEqual([
      expect.objectContaining({ userId: 'alice', action: 'create', code: 'CONFLICT' }),
    ]);
    expect(await w.idp.findUserByUsername('alice')).toMatchObject({
      id: handMade.id,
      nextcloudId: null,
      firstName: null,
    });
  });

  it('deletes under the delete policy', async () => {
    const w = await world({ users: [directoryUser('gone'), directoryUser('stay')] });
    await w.sync.execute();
    w.directory.remove('gone');
    expect(await w.sync.execute({ deprovisionPolicy: 'delete' })).toMatchObject({ deleted: 1 });
    expect(await w.idp.findUserByNextcloudId('gone')).toBeUndefined();
  });

  it('takes access from nobody when a directory page fails, and completes on the next run', async () => {
    const w = await world({ users: many(10) });
    await w.sync.execute();
    for (let i = 5; i < 10; i++) w.directory.remove(`user${i}`);
    w.directory.update('user0', { displayName: 'Renamed Before' });
    w.directory.failPage(1);
    const sync = new SyncAllUsers({
      identityProvider: w.idp,
      userDirectory: w.directory,
      clock: w.clock,
      config: { pageSize: 2 },
    });
    await expect(sync.execute()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    // The page read before the failure was applied; deprovisioning waits for a whole listing.
    expect(await w.idp.findUserByNextcloudId('user0')).toMatchObject({ firstName: 'Renamed' });
    expect(w.idp.calls('setEnabled') + w.idp.calls('deleteUser')).toBe(0);
    expect(await sync.execute()).toMatchObject({ disabled: 5, unchanged: 5 });
  });

  it('reports per-user failures and carries on with the others', async () => {
    const w = await world({ users: many(5) });
    w.idp.failNext('UPSTREAM_UNAVAILABLE', 'createUser');
    const report = await w.sync.execute({ concurrency: 1 });
    expect(report.created).toBe(4);
    expect(report.failed).toEqual([
      expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE', action: 'create' }),
    ]);
  });

  it('plans without writing on a dry run', async () => {
    const w = await world({ users: many(4) });
    const report = await w.sync.execute({ dryRun: true });
    expect(report).toMatchObject({ dryRun: true, created: 4 });
    expect(report.plan?.actions).toHaveLength(4);
    expect(w.idp.writeCount).toBe(0);
  });

  it('reports progress up to the total', async () => {
    const w = await world({ users: many(6) });
    const seen: number[] = [];
    await w.sync.execute({}, { onProgress: ({ done, total }) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops writing when cancelled and says so', async () => {
    const w = await world({ users: many(40) });
    const controller = new AbortController();
    const sync = new SyncAllUsers({
      identityProvider: w.idp,
      userDirectory: w.directory,
      clock: w.clock,
      config: { bulkCreateBatchSize: 0 },
    });
    const run = sync.execute(
      { concurrency: 2 },
      {
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done === 5) controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(w.idp.calls('createUser')).toBeLessThan(40);
  });

  it('never runs more writes at once than its concurrency', async () => {
    const w = await world({ users: many(20) });
    let inFlight = 0;
    let peak = 0;
    const create = w.idp.createUser.bind(w.idp);
    w.idp.createUser = async (spec, opts) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await create(spec, opts);
      } finally {
        inFlight--;
      }
    };
    await new SyncAllUsers({
      identityProvider: w.idp,
      userDirectory: w.directory,
      clock: w.clock,
      config: { bulkCreateBatchSize: 0 },
    }).execute({ concurrency: 3 });
    expect(peak).toBe(3);
  });

  it('creates new users in batches where the identity provider can, reporting each failure', async () => {
    const w = await world({ users: many(25) });
    w.idp.addUnmanagedUser('user7');
    const sync = new SyncAllUsers({
      identityProvider: w.idp,
      userDirectory: w.directory,
      clock: w.clock,
      config: { bulkCreateBatchSize: 10 },
    });
    const report = await sync.execute();
    expect(w.idp.calls('createUsers')).toBe(3);
    expect(report.created).toBe(24);
    expect(report.failed).toEqual([
      expect.objectContaining({ userId: 'user7', action: 'create', code: 'CONFLICT' }),
    ]);
    w.idp.resetCounters();
    expect(await sync.execute()).toMatchObject({ created: 0, unchanged: 24 });
    expect(w.idp.calls('createUsers')).toBe(1); // the conflicting one is tried again, alone
  });

  it('reads the directory only as fast as it writes: a few pages ahead at most, never the whole listing', async () => {
    const w = await world({ users: many(2000) });
    let listed = 0;
    let written = 0;
    let ahead = 0;
    const list = w.directory.listUsers.bind(w.directory);
    w.directory.listUsers = async function* (opts) {
      for await (const page of list(opts)) {
        listed += page.length;
        yield page;
      }
    };
    const createUsers = w.idp.createUsers.bind(w.idp);
    w.idp.createUsers = async (specs, opts) => {
      ahead = Math.max(ahead, listed - written);
      await new Promise((r) => setTimeout(r, 1));
      const results = await createUsers(specs, opts);
      written += specs.length;
      return results;
    };
    const sync = new SyncAllUsers({
      identityProvider: w.idp,
      userDirectory: w.directory,
      clock: w.clock,
      config: { pageSize: 50, bulkCreateBatchSize: 10 },
    });
    expect(await sync.execute({ concurrency: 2 })).toMatchObject({ created: 2000, failed: [] });
    // Read but not yet written: the batches in flight, the one being filled and one page.
    expect(ahead).toBeLessThanOrEqual(2 * 10 + 10 + 50);
  });

  it('rejects unknown input', async () => {
    const w = await world();
    await expect(w.sync.execute({ dryRun: 'yes' } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('SyncUser and DeleteUser', () => {
  it('creates, updates and disables one user on demand', async () => {
    const w = await world({ users: [directoryUser('ann')] });
    const syncUser = new SyncUser({
      identityProvider: w.idp,
      userDirectory: w.directory,
      accessCache: w.cache,
    });
    expect(await syncUser.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'create' });
    expect(await syncUser.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'unchanged' });
    w.directory.update('ann', { email: 'new@example.com' });
    expect(await syncUser.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'update' });
    w.directory.remove('ann');
    expect(await syncUser.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'disable' });
    expect(await syncUser.execute({ userId: 'nobody' })).toEqual({ userId: 'nobody', outcome: 'absent' });
    await expect(syncUser.execute({ userId: 'a\u0000b' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('deletes only managed users', async () => {
    const w = await world({ users: [directoryUser('ann')] });
    await w.sync.execute();
    const handMade = w.idp.addUnmanagedUser('bob-by-hand');
    const del = new DeleteUser({ identityProvider: w.idp, accessCache: w.cache });
    expect(await del.execute({ userId: 'ann' })).toEqual({ userId: 'ann', outcome: 'deleted' });
    expect(await del.execute({ userId: 'bob-by-hand' })).toEqual({
      userId: 'bob-by-hand',
      outcome: 'absent',
    });
    expect(await w.idp.findUserByUsername('bob-by-hand')).toMatchObject({ id: handMade.id });
  });

  it('measures its duration with the injected clock', async () => {
    const w = await world({ users: many(1) });
    const clock = new ManualClock(0);
    const sync = new SyncAllUsers({ identityProvider: w.idp, userDirectory: w.directory, clock });
    expect((await sync.execute()).durationMs).toBe(0);
  });
});
