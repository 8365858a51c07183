import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DerivedPasswordVault, Secret } from '@keycloak-exapp/core';
import { InMemoryPasswordVault, describePasswordVaultContract } from '@keycloak-exapp/core/testing';

describe('DerivedPasswordVault', () => {
  const key = new Secret('a-very-long-and-random-key-0123456789');

  it('derives the same password in every instance (replicas, restarts)', async () => {
    const a = await (await DerivedPasswordVault.fromKey(key)).passwordFor('commonground', 'alice');
    const b = await (await DerivedPasswordVault.fromKey(key)).passwordFor('commonground', 'alice');
    expect(a.reveal()).toBe(b.reveal());
    expect(a.reveal()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('keeps the key id and passwords of earlier releases (no user is re-set by an upgrade)', async () => {
    // Computed by the 0.1 vault before it moved to Web Crypto.
    const vault = await DerivedPasswordVault.fromKey(key);
    expect(vault.keyId).toBe('81fc3c776bd41a93');
    expect((await vault.passwordFor('commonground', 'alice')).reveal()).toBe(
      'C0BLuIWu0DgOICowrT23gwjiiwuqHNg13NSQcmp2lwk',
    );
  });

  it('derives different passwords per user, realm and key', async () => {
    const vault = await DerivedPasswordVault.fromKey(key);
    const other = await DerivedPasswordVault.fromKey(new Secret('another-long-and-random-key-987654321'));
    const base = (await vault.passwordFor('commonground', 'alice')).reveal();
    expect((await vault.passwordFor('commonground', 'bob')).reveal()).not.toBe(base);
    expect((await vault.passwordFor('other', 'alice')).reveal()).not.toBe(base);
    expect((await other.passwordFor('commonground', 'alice')).reveal()).not.toBe(base);
    expect(other.keyId).not.toBe(vault.keyId);
    expect((await DerivedPasswordVault.fromKey(key)).keyId).toBe(vault.keyId);
  });

  it('does not reveal the key through its id and refuses short keys', async () => {
    const vault = await DerivedPasswordVault.fromKey(key);
    expect(vault.keyId).not.toContain(key.reveal().slice(0, 8));
    await expect(DerivedPasswordVault.fromKey(new Secret('short'))).rejects.toMatchObject({
      code: 'CONFIGURATION',
    });
  });
});

describe('InMemoryPasswordVault', () => {
  it('keeps a random password per user for its lifetime only', async () => {
    const vault = new InMemoryPasswordVault();
    const a = await vault.passwordFor('r', 'alice');
    expect((await vault.passwordFor('r', 'alice')).reveal()).toBe(a.reveal());
    const restarted = new InMemoryPasswordVault();
    expect((await restarted.passwordFor('r', 'alice')).reveal()).not.toBe(a.reveal());
    expect(restarted.keyId).not.toBe(vault.keyId);
  });
});

describe('Secret', () => {
  it('never prints its value', () => {
    const secret = new Secret('hunter2-hunter2');
    expect(JSON.stringify({ secret })).not.toContain('hunter2');
    expect(String(secret)).not.toContain('hunter2');
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(secret.reveal()).toBe('hunter2-hunter2');
  });
});

describePasswordVaultContract(
  'DerivedPasswordVault',
  () => DerivedPasswordVault.fromKey(new Secret('a-very-long-and-random-key-0123456789')),
  { isStableAcrossInstances: true },
);
describePasswordVaultContract('InMemoryPasswordVault', () => new InMemoryPasswordVault(), {
  isStableAcrossInstances: false,
});
