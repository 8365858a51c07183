import { describe, expect, it } from 'vitest';
import { DerivedPasswordVault, IssueToken, Secret, type PasswordVault } from '@keycloak-exapp/core';
import { directoryUser, world } from './harness.js';

describe('IssueToken', () => {
  it('gives 200 concurrent first requests for one user one password write and one grant', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => w.token.execute({ userId: 'alice', clientId: 'opentalk' })),
    );
    expect(results).toHaveLength(200);
    expect(new Set(results.map((r) => r.tokens.accessToken)).size).toBe(1);
    expect(w.idp.calls('createUser')).toBe(1);
    expect(w.idp.calls('setPassword')).toBe(1);
    expect(w.idp.calls('passwordGrant')).toBe(1);
    expect(w.directory.requestCount).toBe(1);
  });

  it('gives 50 users × 4 clients one password write per user and no errors', async () => {
    const users = Array.from({ length: 50 }, (_, i) => directoryUser(`u${i}`));
    const w = await world({ users });
    const clients = ['opentalk', 'valtimo', 'openzaak', 'openklant'];
    const results = await Promise.allSettled(
      users.flatMap((u) =>
        clients.flatMap((clientId) => [1, 2].map(() => w.token.execute({ userId: u.id, clientId }))),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(w.idp.calls('setPassword')).toBe(50);
    expect(w.idp.calls('passwordGrant')).toBe(200);
  });

  it('serves a cached token, then refreshes, then falls back to the password grant', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const first = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(first).toMatchObject({ source: 'password', expiresIn: 300 });
    w.clock.advance(100_000);
    const cached = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(cached).toMatchObject({ source: 'cache', expiresIn: 200 });
    expect(cached.tokens.accessToken).toBe(first.tokens.accessToken);
    w.clock.advance(180_000); // 20 s left: inside the 30 s margin
    const refreshed = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(refreshed.source).toBe('refresh');
    expect(refreshed.tokens.accessToken).not.toBe(first.tokens.accessToken);
    w.clock.advance(2_000_000); // refresh token expired too
    expect((await w.token.execute({ userId: 'alice', clientId: 'opentalk' })).source).toBe('password');
    expect(w.idp.calls('setPassword')).toBe(1);
  });

  it('falls back to the password grant when the refresh token was revoked', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    const kc = await w.idp.findUserByNextcloudId('alice');
    await w.idp.revokeSessions(kc!.id);
    w.clock.advance(290_000);
    const again = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(again.source).toBe('password');
  });

  it('refuses a user disabled in the directory, disables them, ends their sessions and drops cached tokens', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { directoryTtlMs: 30_000 } });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    const kc = (await w.idp.findUserByNextcloudId('alice'))!;
    expect(w.idp.activeSessionCount(kc.id)).toBe(1);
    w.directory.update('alice', { enabled: false });
    w.clock.advance(30_000);
    await expect(w.token.execute({ userId: 'alice', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_DISABLED',
    });
    expect((await w.idp.findUserByNextcloudId('alice'))?.enabled).toBe(false);
    expect(w.idp.activeSessionCount(kc.id)).toBe(0);
    expect(w.cache.getTokens('alice', 'opentalk')).toBeUndefined();
  });

  it('refuses a user deleted from the directory and disables the managed user', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { directoryTtlMs: 0 } });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    w.directory.remove('alice');
    await expect(w.token.execute({ userId: 'alice', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    expect((await w.idp.findUserByNextcloudId('alice'))?.enabled).toBe(false);
    await expect(w.token.execute({ userId: 'never', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('refuses a client id that is not on the allow-list, before any upstream call', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    for (const clientId of ['admin-cli', 'security-admin-console', 'contract-browser']) {
      await expect(w.token.execute({ userId: 'alice', clientId })).rejects.toMatchObject({
        code: 'CLIENT_NOT_ALLOWED',
      });
    }
    expect(w.directory.requestCount).toBe(0);
  });

  it('rejects malformed input', async () => {
    const w = await world();
    await expect(w.token.execute({ userId: '', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(w.token.execute({ userId: 'a\nb', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(w.token.execute({ userId: 'a', clientId: 'bad client' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('re-sets a password changed behind its back once and retries once', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { isTokenCacheEnabled: false } });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    const kc = (await w.idp.findUserByNextcloudId('alice'))!;
    w.idp.overwritePassword(kc.id, 'changed-in-the-console');
    const again = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(again.source).toBe('password');
    expect(w.idp.calls('setPassword')).toBe(2);
    expect(w.idp.calls('passwordGrant')).toBe(3);
  });

  it('re-sets each password once after the vault key rotates (a restart with a new key)', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    const rotated = new IssueToken({
      identityProvider: w.idp,
      userDirectory: w.directory,
      passwordVault: await DerivedPasswordVault.fromKey(new Secret('n'.repeat(40))),
      clock: w.clock,
      config: { allowedClientIds: ['opentalk', 'valtimo'] },
    });
    await rotated.execute({ userId: 'alice', clientId: 'opentalk' });
    await rotated.execute({ userId: 'alice', clientId: 'valtimo' });
    expect(w.idp.calls('setPassword')).toBe(2);
    expect(w.idp.calls('passwordGrant')).toBe(3);
  });

  it('needs no password reset after a restart with the same key', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    const restarted = new IssueToken({
      identityProvider: w.idp,
      userDirectory: w.directory,
      passwordVault: await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32))),
      clock: w.clock,
      config: { allowedClientIds: ['opentalk'] },
    });
    expect((await restarted.execute({ userId: 'alice', clientId: 'opentalk' })).source).toBe('password');
    expect(w.idp.calls('setPassword')).toBe(1);
  });

  it('serves users verified within the TTL while the directory is down, and fails closed after', async () => {
    const w = await world({
      users: [directoryUser('alice')],
      token: { directoryTtlMs: 30_000, isTokenCacheEnabled: false },
    });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    w.directory.setDown(true);
    w.clock.advance(10_000);
    expect((await w.token.execute({ userId: 'alice', clientId: 'opentalk' })).source).toBe('password');
    w.clock.advance(25_000);
    await expect(w.token.execute({ userId: 'alice', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
  });

  it('brings a changed profile into the identity provider at token time and stops serving old claims', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { directoryTtlMs: 0 } });
    const first = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    w.directory.update('alice', { displayName: 'Alice Jansen' });
    const second = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect((await w.idp.findUserByNextcloudId('alice'))?.lastName).toBe('Jansen');
    expect(second.tokens.accessToken).not.toBe(first.tokens.accessToken);
  });

  it('creates a user that the sync has not seen yet, on demand', async () => {
    const w = await world({ users: [] });
    w.directory.put(directoryUser('newbie'));
    await w.token.execute({ userId: 'newbie', clientId: 'opentalk' });
    expect(await w.idp.findUserByNextcloudId('newbie')).toMatchObject({
      enabled: true,
      passwordKeyId: w.vault.keyId,
    });
  });

  it('grants every time when the token cache is off', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { isTokenCacheEnabled: false } });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(w.idp.calls('passwordGrant')).toBe(2);
    expect(w.idp.calls('setPassword')).toBe(1);
  });

  it('surfaces an identity provider outage as a retryable error', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    w.idp.failNext('UPSTREAM_UNAVAILABLE', 'passwordGrant');
    await expect(w.token.execute({ userId: 'alice', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect((await w.token.execute({ userId: 'alice', clientId: 'opentalk' })).source).toBe('password');
  });
});

describe('IssueToken renews ahead of expiry', () => {
  const ask = (w: Awaited<ReturnType<typeof world>>) =>
    w.token.execute({ userId: 'alice', clientId: 'opentalk' });
  /** Lets a renewal behind the request finish (the fakes yield to the event loop like a network call). */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
  };

  it('serves a verification past 3/4 of its TTL without waiting and renews it behind the request', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    expect(await ask(w)).toMatchObject({ waitedForDirectory: true });
    w.clock.advance(20_000); // TTL 30 s: not yet renewed ahead
    expect(await ask(w)).toMatchObject({ waitedForDirectory: false, source: 'cache' });
    expect(w.directory.requestCount).toBe(1);
    w.clock.advance(3_000); // 23 s: past 22.5 s
    expect(await ask(w)).toMatchObject({ waitedForDirectory: false, source: 'cache' });
    await settle();
    expect(w.directory.requestCount).toBe(2);
    w.clock.advance(20_000); // 43 s after the first check, 20 s after the renewal
    expect(await ask(w)).toMatchObject({ waitedForDirectory: false });
    expect(w.directory.requestCount).toBe(2);
  });

  it('takes access away as soon as the renewal finds the user disabled', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await ask(w);
    w.directory.update('alice', { enabled: false });
    w.clock.advance(25_000);
    await ask(w); // still within the TTL: served, and the renewal starts
    await settle();
    await expect(ask(w)).rejects.toMatchObject({ code: 'USER_DISABLED' });
    expect(await w.idp.findUserByNextcloudId('alice')).toMatchObject({ enabled: false });
  });

  it('renews ahead again for a user re-enabled right after a renewal found them disabled', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await ask(w);
    w.directory.update('alice', { enabled: false });
    w.clock.advance(25_000);
    await ask(w); // the renewal behind it finds alice disabled
    await settle();
    w.directory.update('alice', { enabled: true });
    expect(await ask(w)).toMatchObject({ waitedForDirectory: true });
    const checks = w.directory.requestCount;
    w.clock.advance(23_000); // past 3/4 of the TTL, within 30 s of the refused renewal
    expect(await ask(w)).toMatchObject({ waitedForDirectory: false });
    await settle();
    expect(w.directory.requestCount).toBe(checks + 1);
  });

  it('does not ask an unreachable directory again on every request, and fails closed after the TTL', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await ask(w);
    w.directory.setDown(true);
    w.clock.advance(25_000);
    for (let i = 0; i < 5; i++) {
      await ask(w);
      await settle();
    }
    expect(w.directory.requestCount).toBe(2); // the first check, then one failed renewal
    w.clock.advance(6_000);
    await expect(ask(w)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('refreshes a token within twice the margin behind the request; the next caller gets the new one', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const first = await ask(w);
    w.clock.advance(250_000); // 50 s left: inside 2 × 30 s, outside 30 s
    w.directory.requestCount = 0;
    const served = await ask(w);
    expect(served).toMatchObject({ source: 'cache', expiresIn: 50 });
    expect(served.tokens.accessToken).toBe(first.tokens.accessToken);
    await settle();
    expect(w.idp.calls('refreshGrant')).toBe(1);
    const next = await ask(w);
    expect(next).toMatchObject({ source: 'cache', expiresIn: 300 });
    expect(next.tokens.accessToken).not.toBe(first.tokens.accessToken);
  });
});

describe('IssueToken directory checks', () => {
  const ask = (w: Awaited<ReturnType<typeof world>>) =>
    w.token.execute({ userId: 'alice', clientId: 'opentalk' });

  it('reuse the account read from the identity provider while the profile is unchanged, for at most the recheck interval', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await ask(w);
    expect(w.idp.calls('findUserByNextcloudId')).toBe(1);
    w.clock.advance(31_000);
    expect(await ask(w)).toMatchObject({ waitedForDirectory: true });
    expect(w.directory.requestCount).toBe(2);
    expect(w.idp.calls('findUserByNextcloudId')).toBe(1); // unchanged profile: no Keycloak search
    w.directory.update('alice', { displayName: 'Alice Changed' });
    w.clock.advance(31_000);
    await ask(w);
    expect(w.idp.calls('findUserByNextcloudId')).toBe(2); // changed: read and updated
    expect(await w.idp.findUserByNextcloudId('alice')).toMatchObject({ lastName: 'Changed' });
    w.clock.advance(300_000); // past the 5-minute recheck: read again though unchanged
    await ask(w);
    expect(w.idp.calls('findUserByNextcloudId')).toBe(4);
  });

  it('re-create an account deleted in the identity provider by hand on the next grant, without an error', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await ask(w);
    const before = await w.idp.findUserByNextcloudId('alice');
    await w.idp.deleteUser(before!.id);
    w.clock.advance(100_000); // still a cached token: served (Keycloak's tokens outlive the account)
    expect(await ask(w)).toMatchObject({ source: 'cache' });
    w.clock.advance(200_000); // expired: the grant finds the account gone, which is checked and re-created
    const again = await ask(w);
    expect(again.source).toBe('password');
    const after = await w.idp.findUserByNextcloudId('alice');
    expect(after?.id).not.toBe(before!.id);
  });
});

describe('IssueToken answers from memory alone (`cached`)', () => {
  const input = { userId: 'alice', clientId: 'opentalk' };

  it('answers nothing before the first grant and asks nobody', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    expect(w.token.cached(input)).toBeUndefined();
    expect(w.directory.requestCount).toBe(0);
    expect(w.idp.calls('passwordGrant')).toBe(0);
  });

  it('answers what execute answers while the token and the directory check hold, and nothing after', async () => {
    const w = await world({ users: [directoryUser('alice')], token: { directoryTtlMs: 60_000 } });
    const first = await w.token.execute(input);
    w.clock.advance(10_000);
    const now = w.token.cached(input);
    expect(now).toEqual(await w.token.execute(input));
    expect(now).toMatchObject({ source: 'cache', expiresIn: 290, waitedForDirectory: false });
    expect(now!.tokens).toBe(first.tokens);
    w.clock.advance(50_000); // the directory check is 60 s old: past its TTL
    expect(w.token.cached(input)).toBeUndefined();
    expect(await w.token.execute(input)).toMatchObject({ source: 'cache', waitedForDirectory: true });
    w.clock.advance(215_000); // 25 s left of the token: inside the 30 s margin
    expect(w.token.cached(input)).toBeUndefined();
    expect((await w.token.execute(input)).source).toBe('refresh');
  });

  it('answers nothing for a user the sync has just disabled', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    await w.token.execute(input);
    w.directory.update('alice', { enabled: false });
    await w.sync.execute();
    expect(w.token.cached(input)).toBeUndefined();
    await expect(w.token.execute(input)).rejects.toMatchObject({ code: 'USER_DISABLED' });
  });

  it('refuses what execute refuses before looking: a client off the list, malformed input', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    expect(() => w.token.cached({ userId: 'alice', clientId: 'nobody' })).toThrow(
      expect.objectContaining({ code: 'CLIENT_NOT_ALLOWED' }),
    );
    expect(() => w.token.cached({ userId: '..', clientId: 'opentalk' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('serves no token obtained under a password key rotated since', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    let keyId = 'key-1';
    const vault: PasswordVault = {
      get keyId() {
        return keyId;
      },
      passwordFor: (realm, id) => w.vault.passwordFor(realm, id),
    };
    const token = new IssueToken({
      identityProvider: w.idp,
      userDirectory: w.directory,
      passwordVault: vault,
      clock: w.clock,
      config: { allowedClientIds: ['opentalk'] },
    });
    await token.execute(input);
    expect(token.cached(input)?.source).toBe('cache');
    keyId = 'key-2';
    expect(token.cached(input)).toBeUndefined();
  });
});
