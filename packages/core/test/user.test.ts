import { describe, expect, it } from 'vitest';
import {
  differingFields,
  normalizeEmail,
  splitDisplayName,
  toManagedUserSpec,
  type IdpUser,
} from '@keycloak-exapp/core';

describe('splitDisplayName', () => {
  it('keeps Dutch surname particles in the last name', () => {
    expect(splitDisplayName('Zoë van der Berg', 'zoe')).toEqual({
      firstName: 'Zoë',
      lastName: 'van der Berg',
    });
  });
  it('uses a single word for both parts', () => {
    expect(splitDisplayName('alice', 'alice')).toEqual({ firstName: 'alice', lastName: 'alice' });
  });
  it('falls back to the id for an empty or blank display name, never producing an empty value', () => {
    expect(splitDisplayName('', 'bob')).toEqual({ firstName: 'bob', lastName: 'bob' });
    expect(splitDisplayName('   ', 'a b')).toEqual({ firstName: 'a', lastName: 'b' });
    expect(splitDisplayName('', '')).toEqual({ firstName: '-', lastName: '-' });
  });
  it('collapses whitespace and cuts parts to 255 characters', () => {
    expect(splitDisplayName('  Jan   de  Vries ', 'j')).toEqual({ firstName: 'Jan', lastName: 'de Vries' });
    const long = splitDisplayName(`${'é'.repeat(300)} x`, 'id');
    expect(Array.from(long.firstName)).toHaveLength(255);
  });
});

describe('toManagedUserSpec', () => {
  it('never invents an e-mail and lower-cases a given one', async () => {
    expect(
      (await toManagedUserSpec({ id: 'bob', displayName: 'Bob', email: null, enabled: false, groups: [] }))
        .email,
    ).toBeNull();
    expect(normalizeEmail(' Alice@Example.COM ')).toBe('alice@example.com');
    expect(normalizeEmail('')).toBeNull();
  });
  it('sorts and de-duplicates groups', async () => {
    expect(
      (
        await toManagedUserSpec({
          id: 'a',
          displayName: 'A',
          email: null,
          enabled: true,
          groups: ['b', 'a', 'b', ''],
        })
      ).groups,
    ).toEqual(['a', 'b']);
  });
});

const spec = await toManagedUserSpec({
  id: 'alice',
  displayName: 'Alice Adams',
  email: 'alice@example.com',
  enabled: true,
  groups: ['x', 'y'],
});

describe('differingFields', () => {
  const current: IdpUser = {
    id: 'k1',
    username: 'alice',
    nextcloudId: 'alice',
    firstName: 'Alice',
    lastName: 'Adams',
    email: 'ALICE@example.com',
    enabled: true,
    groups: ['y', 'x'],
    passwordKeyId: 'k',
  };
  it('sees no change when only case of e-mail and group order differ', () => {
    expect(differingFields(spec, current)).toEqual([]);
  });
  it('names every changed field', () => {
    expect(differingFields(spec, { ...current, lastName: 'Smith', enabled: false, groups: ['x'] })).toEqual([
      'lastName',
      'enabled',
      'groups',
    ]);
  });
});
