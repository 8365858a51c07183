import { describe, expect, it } from 'vitest';
import type { PasswordVault } from './password-vault.port.js';

export interface PasswordVaultCaps {
  /** Whether a second instance made the same way (a restart, a replica) gives the same passwords. */
  readonly isStableAcrossInstances: boolean;
}

/**
 * Registers the PasswordVault contract: every vault must pass it. `create` makes a vault; with
 * `isStableAcrossInstances`, two calls must make vaults that agree (same key, same passwords).
 */
export function describePasswordVaultContract(
  name: string,
  create: () => PasswordVault | Promise<PasswordVault>,
  caps: PasswordVaultCaps,
): void {
  describe(`PasswordVault contract · ${name}`, () => {
    it('gives a user the same password every time it is asked', async () => {
      const vault = await create();
      const first = (await vault.passwordFor('commonground', 'alice')).reveal();
      expect((await vault.passwordFor('commonground', 'alice')).reveal()).toBe(first);
    });

    it('gives every user of every realm a password of their own, long enough to resist guessing', async () => {
      const vault = await create();
      const passwords = await Promise.all(
        [
          ['commonground', 'alice'],
          ['commonground', 'bob'],
          ['other', 'alice'],
          ['commonground', 'Zoë'],
          ['commonground', 'alice\0x'],
        ].map(async ([realm, id]) => (await vault.passwordFor(realm!, id!)).reveal()),
      );
      expect(new Set(passwords).size).toBe(passwords.length);
      for (const password of passwords) expect(password.length).toBeGreaterThanOrEqual(32);
    });

    it('never shows a password when it is printed or serialized', async () => {
      const password = await (await create()).passwordFor('commonground', 'alice');
      expect(JSON.stringify({ password })).not.toContain(password.reveal());
      expect(String(password)).not.toContain(password.reveal());
    });

    it('names its key with a stable, non-empty id that does not reveal a password', async () => {
      const vault = await create();
      expect(vault.keyId.length).toBeGreaterThan(0);
      expect(vault.keyId).toBe(vault.keyId);
      expect((await vault.passwordFor('commonground', 'alice')).reveal()).not.toContain(vault.keyId);
    });

    if (caps.isStableAcrossInstances) {
      it('agrees with another instance made the same way: no password resets after a restart', async () => {
        const [a, b] = [await create(), await create()];
        expect(b.keyId).toBe(a.keyId);
        expect((await b.passwordFor('commonground', 'alice')).reveal()).toBe(
          (await a.passwordFor('commonground', 'alice')).reveal(),
        );
      });
    } else {
      it('starts afresh in another instance, under another key id (so passwords are re-set once)', async () => {
        const [a, b] = [await create(), await create()];
        expect(b.keyId).not.toBe(a.keyId);
      });
    }
  });
}
