import { describe, expect, it } from 'vitest';
import {
  DerivedPasswordVault,
  IssueToken,
  RotatePasswordKey,
  Secret,
  type PasswordVault,
} from '@keycloak-exapp/core';
import { directoryUser, world } from './harness.js';

/** A vault whose key can be swapped, as the server's follows the secrets file. */
class SwappableVault implements PasswordVault {
  constructor(public current: PasswordVault) {}
  get keyId(): string {
    return this.current.keyId;
  }
  passwordFor(realm: string, id: string): Promise<Secret> {
    return this.current.passwordFor(realm, id);
  }
}

describe('RotatePasswordKey', () => {
  it("re-sets each password set under another key, ends that user's sessions, skips the rest; a second pass does nothing", async () => {
    const w = await world({ users: ['a', 'b', 'c', 'd'].map((id) => directoryUser(id)) });
    await w.sync.execute({});
    for (const id of ['a', 'b', 'c']) await w.token.execute({ userId: id, clientId: 'opentalk' });
    const newVault = await DerivedPasswordVault.fromKey(new Secret('n'.repeat(32)));
    const progress: number[] = [];
    const rotate = new RotatePasswordKey({ identityProvider: w.idp, passwordVault: newVault });
    const first = await rotate.execute({ concurrency: 2, onProgress: (p) => progress.push(p.rotated) });
    expect(first).toMatchObject({ rotated: 3, skipped: 1, failed: [] }); // d never had a password
    expect(progress.at(-1)).toBe(3);
    for (const id of ['a', 'b', 'c']) {
      const user = (await w.idp.findUserByNextcloudId(id))!;
      expect(user.passwordKeyId).toBe(newVault.keyId);
      expect(w.idp.activeSessionCount(user.id)).toBe(0);
    }
    // Resumed or repeated: everyone is on the new key already.
    expect(await rotate.execute()).toMatchObject({ rotated: 0, skipped: 4, failed: [] });
  });

  it('reports a user it could not re-set, and rotates the others', async () => {
    const w = await world({ users: ['a', 'b'].map((id) => directoryUser(id)) });
    for (const id of ['a', 'b']) await w.token.execute({ userId: id, clientId: 'opentalk' });
    w.idp.failNext('UPSTREAM_UNAVAILABLE', 'setPassword');
    const newVault = await DerivedPasswordVault.fromKey(new Secret('n'.repeat(32)));
    const result = await new RotatePasswordKey({ identityProvider: w.idp, passwordVault: newVault }).execute({
      concurrency: 1,
    });
    expect(result.rotated).toBe(1);
    expect(result.failed).toEqual([{ userId: expect.any(String), code: 'UPSTREAM_UNAVAILABLE' }]);
  });
});

describe('IssueToken after the password key changed', () => {
  it('serves no token cached under the old key, and gets new ones with the new key', async () => {
    const w = await world({ users: [directoryUser('alice')] });
    const vault = new SwappableVault(w.vault);
    const token = new IssueToken({
      identityProvider: w.idp,
      userDirectory: w.directory,
      passwordVault: vault,
      clock: w.clock,
      accessCache: w.cache,
      config: { allowedClientIds: ['opentalk'] },
    });
    const before = await token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect((await token.execute({ userId: 'alice', clientId: 'opentalk' })).source).toBe('cache');
    vault.current = await DerivedPasswordVault.fromKey(new Secret('n'.repeat(32)));
    const after = await token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(after.source).not.toBe('cache');
    expect(after.tokens.accessToken).not.toBe(before.tokens.accessToken);
    expect((await w.idp.findUserByNextcloudId('alice'))!.passwordKeyId).toBe(vault.keyId);
  });
});
