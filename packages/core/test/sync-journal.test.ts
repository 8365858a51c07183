import { describe, expect, it } from 'vitest';
import {
  AccessCache,
  DerivedPasswordVault,
  IssueToken,
  CheapSyncPass,
  Secret,
  SyncAllUsers,
  SyncUser,
  toManagedUserSpec,
  type DirectoryUser,
  type UserDirectory,
} from '@keycloak-exapp/core';
import {
  InMemoryIdentityProvider,
  InMemorySyncJournal,
  InMemoryUserDirectory,
  ManualClock,
  contractRealmSpec,
  describeSyncJournalContract,
} from '@keycloak-exapp/core/testing';
import { REALM, directoryUser } from './harness.js';

const READS = ['findUserByNextcloudId', 'findUserByUsername', 'listManagedUsers'] as const;

async function setup(users: DirectoryUser[], store = new InMemorySyncJournal()) {
  const idp = new InMemoryIdentityProvider(REALM);
  await idp.reconcileRealm(contractRealmSpec(REALM, ['opentalk']));
  const directory = new InMemoryUserDirectory(users);
  return build(idp, directory, store);
}

function build<D extends UserDirectory>(
  idp: InMemoryIdentityProvider,
  directory: D,
  store: InMemorySyncJournal,
) {
  const clock = new ManualClock();
  const accessCache = new AccessCache({ clock });
  const sync = new SyncAllUsers({
    identityProvider: idp,
    userDirectory: directory,
    clock,
    accessCache,
    syncJournal: store,
  });
  const syncUser = new SyncUser({ identityProvider: idp, userDirectory: directory, accessCache });
  const cheap = new CheapSyncPass({
    identityProvider: idp,
    userDirectory: directory,
    syncUser,
    accessCache,
    syncJournal: store,
  });
  const reads = () => READS.reduce((n, op) => n + idp.calls(op), 0);
  return { idp, directory, store, sync, cheap, reads };
}

const team = (n: number) =>
  Array.from({ length: n }, (_, i) => directoryUser(`user${i}`, { groups: [`g${i % 3}`] }));

describeSyncJournalContract('InMemorySyncJournal', () => {
  const store = new InMemorySyncJournal();
  return Promise.resolve({
    store,
    reopen: () => store.reopen(),
    corrupt: () => Promise.resolve(store.forget()),
    remove: () => Promise.resolve(store.forget()),
  });
});

describe('sync against the journal', () => {
  it('verifies the first pass against the identity provider, then an unchanged pass reads nothing from it', async () => {
    const w = await setup(team(20));
    expect(await w.sync.execute()).toMatchObject({ pass: 'verify', created: 20 });
    w.idp.resetCounters();
    const again = await w.sync.execute();
    expect(again).toMatchObject({ pass: 'digest', unchanged: 20, created: 0, updated: 0, failed: [] });
    expect(w.reads()).toBe(0);
    expect(w.idp.writeCount).toBe(0);
  });

  it('reads and writes only the users whose Nextcloud state changed', async () => {
    const w = await setup(team(20));
    await w.sync.execute();
    w.idp.resetCounters();
    w.directory.update('user3', { displayName: 'Renamed Person' });
    w.directory.put(directoryUser('newcomer'));
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', updated: 1, created: 1, unchanged: 19 });
    expect(w.idp.calls('findUserByNextcloudId')).toBe(1); // the changed user; the newcomer is just created
    expect(w.idp.calls('listManagedUsers')).toBe(0);
    expect((await w.idp.findUserByNextcloudId('user3'))?.firstName).toBe('Renamed');
  });

  it('survives a restart: a new process trusts the saved digest', async () => {
    const w = await setup(team(10));
    await w.sync.execute();
    const restarted = build(w.idp, w.directory, w.store.reopen());
    w.idp.resetCounters();
    expect(await restarted.sync.execute()).toMatchObject({ pass: 'digest', unchanged: 10 });
    expect(restarted.reads()).toBe(0);
  });

  it('rebuilds a digest that is gone or unreadable by verifying against the identity provider', async () => {
    const w = await setup(team(10));
    await w.sync.execute();
    w.store.forget();
    w.idp.resetCounters();
    expect(await w.sync.execute()).toMatchObject({ pass: 'verify', unchanged: 10 });
    expect(w.idp.calls('listManagedUsers')).toBe(1);
    expect((await w.store.load())?.size).toBe(10);
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest' });
  });

  it('repairs on the verification pass a user edited or deleted in the identity provider by hand', async () => {
    const w = await setup(team(5));
    await w.sync.execute();
    const edited = (await w.idp.findUserByNextcloudId('user1'))!;
    const { nextcloudId, username, lastName, email, enabled, groups } = edited;
    await w.idp.updateUser(edited.id, {
      nextcloudId,
      username,
      firstName: 'Tampered',
      lastName: lastName ?? '',
      email,
      enabled,
      groups,
    });
    await w.idp.deleteUser((await w.idp.findUserByNextcloudId('user2'))!.id);
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', unchanged: 5 }); // blind to it
    expect(await w.sync.execute({ verify: true })).toMatchObject({ pass: 'verify', updated: 1, created: 1 });
    expect((await w.idp.findUserByNextcloudId('user1'))?.firstName).toBe('user1');
    expect(await w.idp.findUserByNextcloudId('user2')).toMatchObject({ enabled: true });
  });

  it('never takes access away on the digest alone: a user the listing skipped is looked up first', async () => {
    const w = await setup(team(5));
    await w.sync.execute();
    const skipping: UserDirectory = {
      listUsers: async function* (opts) {
        for await (const page of w.directory.listUsers(opts)) yield page.filter((u) => u.id !== 'user4');
      },
      getUser: (id, opts) => w.directory.getUser(id, opts),
      getUserGroups: (id, opts) => w.directory.getUserGroups(id, opts),
      listUserIds: (opts) => w.directory.listUserIds(opts),
      listDisabledUserIds: (opts) => w.directory.listDisabledUserIds(opts),
    };
    const viaSkipping = build(w.idp, skipping, w.store);
    expect(await viaSkipping.sync.execute()).toMatchObject({ pass: 'digest', disabled: 0, failed: [] });
    expect(await w.idp.findUserByNextcloudId('user4')).toMatchObject({ enabled: true });
    w.directory.remove('user4');
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', disabled: 1 });
    expect(await w.idp.findUserByNextcloudId('user4')).toMatchObject({ enabled: false });
    w.idp.resetCounters();
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', disabled: 0 });
    expect(w.reads()).toBe(0); // deprovisioned once, not looked up on every pass
  });

  it('verifies on the pass after a digest pass that failed', async () => {
    const w = await setup(team(5));
    await w.sync.execute();
    w.directory.update('user0', { displayName: 'Changed Name' });
    w.idp.failNext('UPSTREAM_UNAVAILABLE', 'updateUser');
    expect((await w.sync.execute()).failed).toHaveLength(1);
    expect(await w.sync.execute()).toMatchObject({ pass: 'verify', updated: 1, failed: [] });
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest' });
  });
});

describe('users the journal does not know', () => {
  it('are created in bulk without a lookup each, and the pass stays a digest pass', async () => {
    const w = await setup(team(5));
    await w.sync.execute();
    for (let i = 0; i < 150; i++) w.directory.put(directoryUser(`arrival${i}`));
    w.idp.resetCounters();
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', created: 150, unchanged: 5 });
    expect(w.idp.calls('createUsers')).toBe(2);
    expect(w.reads()).toBe(0);
  });

  it('are brought in line when they exist already (created meanwhile, and the journal lost)', async () => {
    const w = await setup(team(3));
    await w.sync.execute();
    const before = directoryUser('meanwhile', { displayName: 'Old Name', groups: ['g1'] });
    await w.idp.createUser(await toManagedUserSpec(before));
    w.directory.put(before);
    w.directory.update('meanwhile', { displayName: 'New Name', groups: ['g2'] });
    const report = await w.sync.execute();
    expect(report).toMatchObject({ pass: 'digest', updated: 1, created: 0, unchanged: 3, failed: [] });
    expect(await w.idp.findUserByNextcloudId('meanwhile')).toMatchObject({
      firstName: 'New',
      groups: ['g2'],
    });
    w.idp.resetCounters();
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', unchanged: 4 });
    expect(w.reads()).toBe(0);
  });
});

describe('writes between two passes', () => {
  it('are recorded, so a user created by /api/sync-user and then removed from Nextcloud loses access on the next pass', async () => {
    const w = await setup(team(3));
    await w.sync.execute();
    w.directory.put(directoryUser('between'));
    const syncUser = new SyncUser({
      identityProvider: w.idp,
      userDirectory: w.directory,
      syncJournal: w.store,
    });
    expect(await syncUser.execute({ userId: 'between' })).toMatchObject({ outcome: 'create' });
    w.idp.resetCounters();
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', unchanged: 4, created: 0 });
    expect(w.reads()).toBe(0); // the recorded digest is the user's current one
    w.directory.remove('between');
    expect(await w.cheap.execute()).toMatchObject({ pass: 'digest', deprovisioned: 1 });
    expect(await w.idp.findUserByNextcloudId('between')).toMatchObject({ enabled: false });
  });

  it('are recorded for a user the token API created just in time', async () => {
    const w = await setup(team(2));
    await w.sync.execute();
    w.directory.put(directoryUser('jit'));
    const vault = await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32)));
    const token = new IssueToken({
      identityProvider: w.idp,
      userDirectory: w.directory,
      passwordVault: vault,
      clock: new ManualClock(),
      syncJournal: w.store,
      config: { allowedClientIds: ['opentalk'] },
    });
    await token.execute({ userId: 'jit', clientId: 'opentalk' });
    w.directory.remove('jit');
    expect(await w.sync.execute()).toMatchObject({ pass: 'digest', disabled: 1 });
    expect(await w.idp.findUserByNextcloudId('jit')).toMatchObject({ enabled: false });
  });
});

describe('the cheap pass against the journal', () => {
  it('reads nothing from the identity provider when nothing changed, and rewrites no digest', async () => {
    const w = await setup(team(20));
    await w.sync.execute();
    w.idp.resetCounters();
    const saves = w.store.saves;
    expect(await w.cheap.execute()).toMatchObject({
      pass: 'digest',
      created: 0,
      disabled: 0,
      deprovisioned: 0,
    });
    expect(w.reads()).toBe(0);
    expect(w.store.saves).toBe(saves);
  });

  it('creates, disables and deprovisions only the users that differ, and keeps the digest in step', async () => {
    const w = await setup(team(10));
    await w.sync.execute();
    w.idp.resetCounters();
    w.directory.put(directoryUser('fresh'));
    w.directory.update('user1', { enabled: false });
    w.directory.remove('user2');
    expect(await w.cheap.execute()).toMatchObject({ created: 1, disabled: 1, deprovisioned: 1, failed: [] });
    expect(w.idp.calls('listManagedUsers')).toBe(0);
    expect(w.idp.calls('findUserByNextcloudId')).toBe(3);
    expect(await w.idp.findUserByNextcloudId('user1')).toMatchObject({ enabled: false });
    expect(await w.idp.findUserByNextcloudId('user2')).toMatchObject({ enabled: false });
    w.idp.resetCounters();
    expect(await w.cheap.execute()).toMatchObject({ created: 0, disabled: 0, deprovisioned: 0 });
    expect(w.reads()).toBe(0);
  });
});
