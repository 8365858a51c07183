import { describe, expect, it } from 'vitest';
import { SyncScheduler, CheapSyncPass, SyncUser, SyncAllUsers } from '@keycloak-exapp/core';
import { ManualClock } from '@keycloak-exapp/core/testing';
import { directoryUser, world } from './harness.js';

async function reconcileWorld(n = 6) {
  const w = await world({ users: Array.from({ length: n }, (_, i) => directoryUser(`u${i}`)) });
  await w.sync.execute();
  const syncUser = new SyncUser({
    identityProvider: w.idp,
    userDirectory: w.directory,
    accessCache: w.cache,
  });
  const reconcile = new CheapSyncPass({
    identityProvider: w.idp,
    userDirectory: w.directory,
    syncUser,
    accessCache: w.cache,
  });
  w.idp.resetCounters();
  return { ...w, reconcile };
}

describe('CheapSyncPass (cheap pass)', () => {
  it('creates new, disables disabled, re-enables returning and deprovisions gone users', async () => {
    const w = await reconcileWorld();
    w.directory.put(directoryUser('newbie'));
    w.directory.update('u1', { enabled: false });
    w.directory.remove('u2');
    const first = await w.reconcile.execute();
    expect(first).toMatchObject({ created: 1, disabled: 1, deprovisioned: 1, reenabled: 0, failed: [] });
    expect((await w.idp.findUserByNextcloudId('u1'))?.enabled).toBe(false);
    expect((await w.idp.findUserByNextcloudId('u2'))?.enabled).toBe(false);
    w.directory.update('u1', { enabled: true });
    expect(await w.reconcile.execute()).toMatchObject({
      created: 0,
      disabled: 0,
      reenabled: 1,
      deprovisioned: 0,
    });
    expect((await w.idp.findUserByNextcloudId('u1'))?.enabled).toBe(true);
  });

  it('writes nothing when nothing changed', async () => {
    const w = await reconcileWorld();
    await w.reconcile.execute();
    expect(w.idp.writeCount).toBe(0);
  });

  it('leaves every identity-provider user as it was when the directory fails', async () => {
    const w = await reconcileWorld();
    w.directory.remove('u3');
    w.directory.setDown(true);
    await expect(w.reconcile.execute()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(w.idp.writeCount).toBe(0);
  });

  it('refuses to deprovision anyone on an empty listing', async () => {
    const w = await reconcileWorld(3);
    for (const id of ['u0', 'u1', 'u2']) w.directory.remove(id);
    await expect(w.reconcile.execute()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    await expect(w.sync.execute()).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringContaining('acting user'),
    });
    expect(w.idp.writeCount).toBe(0);
  });

  it('looks a missing user up once more before deprovisioning (a listing can skip one)', async () => {
    const w = await reconcileWorld(3);
    const listUserIds = w.directory.listUserIds.bind(w.directory);
    w.directory.listUserIds = async (opts) => (await listUserIds(opts)).filter((id) => id !== 'u1');
    expect(await w.reconcile.execute()).toMatchObject({ deprovisioned: 0 });
    const listUsers = w.directory.listUsers.bind(w.directory);
    w.directory.listUsers = async function* (opts) {
      for await (const page of listUsers(opts)) yield page.filter((u) => u.id !== 'u1');
    };
    expect(await w.sync.execute()).toMatchObject({ disabled: 0, unchanged: 3 });
    expect((await w.idp.findUserByNextcloudId('u1'))?.enabled).toBe(true);
  });
});

describe('SyncScheduler', () => {
  it('runs cheap passes on the interval and a full pass every n-th time', async () => {
    const clock = new ManualClock(0);
    const kinds: string[] = [];
    const scheduler = new SyncScheduler({
      clock,
      intervalMs: 1000,
      fullEvery: 3,
      jitter: 0,
      run: (kind) => (kinds.push(kind), Promise.resolve()),
    });
    scheduler.start();
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 1));
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 1));
    }
    await scheduler.stop();
    expect(kinds).toEqual(['cheap', 'cheap', 'full', 'cheap', 'cheap', 'full']);
  });

  it('never runs two passes at once', async () => {
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const scheduler = new SyncScheduler({
      clock: new ManualClock(),
      run: async () => {
        running++;
        peak = Math.max(peak, running);
        await gate;
        running--;
      },
    });
    const a = scheduler.runNow();
    const b = scheduler.runNow('full');
    expect(scheduler.status().running).toBe(true);
    release();
    await Promise.all([a, b]);
    expect(peak).toBe(1);
    expect(scheduler.status().passes).toBe(1);
  });

  it('backs off while passes fail and recovers after a success', async () => {
    let fail = true;
    const scheduler = new SyncScheduler({
      clock: new ManualClock(),
      intervalMs: 1000,
      jitter: 0,
      maxBackoffMs: 5000,
      run: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()),
    });
    expect(scheduler.nextDelayMs()).toBe(1000);
    await scheduler.runNow().catch(() => undefined);
    expect(scheduler.nextDelayMs()).toBe(2000);
    await scheduler.runNow().catch(() => undefined);
    await scheduler.runNow().catch(() => undefined);
    expect(scheduler.nextDelayMs()).toBe(5000);
    expect(scheduler.status()).toMatchObject({ consecutiveFailures: 3, lastError: 'unexpected error' });
    fail = false;
    await scheduler.runNow();
    expect(scheduler.nextDelayMs()).toBe(1000);
  });

  it('keeps the jitter within its share of the interval', () => {
    const low = new SyncScheduler({
      clock: new ManualClock(),
      intervalMs: 1000,
      jitter: 0.2,
      random: () => 0,
      run: () => Promise.resolve(),
    });
    const high = new SyncScheduler({
      clock: new ManualClock(),
      intervalMs: 1000,
      jitter: 0.2,
      random: () => 0.999999,
      run: () => Promise.resolve(),
    });
    expect(low.nextDelayMs()).toBe(800);
    expect(high.nextDelayMs()).toBe(1200);
  });
});

describe('SyncAllUsers with the injected clock', () => {
  it('is constructible without a logger or cache', () => {
    expect(
      () =>
        new SyncAllUsers({
          identityProvider: {} as never,
          userDirectory: {} as never,
          clock: new ManualClock(),
        }),
    ).not.toThrow();
  });
});
