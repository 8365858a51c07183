import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheapSyncPass, Secret, SyncAllUsers, SyncUser, systemClock } from '@keycloak-exapp/core';
import { InMemoryIdentityProvider } from '@keycloak-exapp/core/testing';
import { NextcloudHttp, NextcloudUserDirectory } from '@keycloak-exapp/adapter-nextcloud';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';

describe('reconcile of 10 000 users against the fake Nextcloud over HTTP', () => {
  const nc = new FakeNextcloud();
  const idp = new InMemoryIdentityProvider('commonground');
  let directory: NextcloudUserDirectory;
  let reconcile: CheapSyncPass;
  let sync: SyncAllUsers;

  beforeAll(async () => {
    await nc.start();
    nc.addUsers(
      Array.from({ length: 10_000 }, (_, i) => ({
        id: `user${i}`,
        displayName: `User ${i}`,
        email: `user${i}@example.test`,
        groups: ['staff'],
      })),
    );
    const http = new NextcloudHttp({
      url: nc.url,
      appId: nc.exApp.appId,
      appVersion: nc.exApp.version,
      secret: new Secret(nc.exApp.secret),
    });
    directory = new NextcloudUserDirectory(http, { actingUser: 'admin' });
    sync = new SyncAllUsers({
      identityProvider: idp,
      userDirectory: directory,
      clock: systemClock,
      config: { concurrency: 16 },
    });
    reconcile = new CheapSyncPass({
      identityProvider: idp,
      userDirectory: directory,
      syncUser: new SyncUser({ identityProvider: idp, userDirectory: directory }),
    });
    expect(await sync.execute()).toMatchObject({ created: 10_001, failed: [] });
  }, 120_000);
  afterAll(() => nc.stop());

  it('costs 22 requests for an unchanged pass (21 id pages of 500 + 1 disabled page) and no writes', async () => {
    nc.requestCount = 0;
    idp.resetCounters();
    expect(await reconcile.execute()).toMatchObject({
      created: 0,
      disabled: 0,
      deprovisioned: 0,
      reenabled: 0,
    });
    expect(nc.requestCount).toBe(22);
    expect(idp.writeCount).toBe(0);
  });

  it('takes access from a disabled and a deleted user with 2 more requests each', async () => {
    nc.users.put({ id: 'user7', enabled: false });
    nc.removeUser('user8');
    nc.requestCount = 0;
    expect(await reconcile.execute()).toMatchObject({ disabled: 1, deprovisioned: 1 });
    // user7: details via SyncUser (1); user8: the confirming lookup (1)
    expect(nc.requestCount).toBe(22 + 2);
    expect((await idp.findUserByNextcloudId('user7'))?.enabled).toBe(false);
    expect((await idp.findUserByNextcloudId('user8'))?.enabled).toBe(false);
  });

  it('leaves every identity-provider user as it was when a page fails in the middle, and completes next time', async () => {
    nc.removeUser('user9');
    nc.users.put({ id: 'user10', enabled: false });
    idp.resetCounters();
    // The 11th page of the id listing fails (three times: got retries a GET twice).
    nc.failNext(500, 3, '/ocs/v2.php/cloud/users', 10);
    await expect(reconcile.execute()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(idp.writeCount).toBe(0);
    nc.clearFaults();
    expect(await reconcile.execute()).toMatchObject({ disabled: 1, deprovisioned: 1 });
  });
});
