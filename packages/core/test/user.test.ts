import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  differingFields,
  digestOfIdpUser,
  digestOfSpec,
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

describe('digestOfIdpUser', () => {
  const text = fc.string({ maxLength: 6 });
  const groups = fc.array(fc.constantFrom('staff', 'Team A', 'b', ''), { maxLength: 3 });
  const directory = fc.record({
    id: fc.constantFrom('alice', 'Bob', 'z@x'),
    displayName: text,
    email: fc.option(fc.constantFrom('a@x.nl', ' A@X.nl', ''), { nil: null }),
    enabled: fc.boolean(),
    groups,
  });

  it('equals the digest of a spec exactly when the sync would write nothing to that user', async () => {
    await fc.assert(
      fc.asyncProperty(
        directory,
        fc.record({
          firstName: fc.option(text, { nil: null }),
          lastName: fc.option(text, { nil: null }),
          email: fc.option(fc.constantFrom('a@x.nl', 'A@x.NL', ''), { nil: null }),
          enabled: fc.boolean(),
          groups,
          useSpec: fc.boolean(),
        }),
        async (user, held) => {
          const spec = await toManagedUserSpec(user);
          // Half the time the identity provider holds exactly the spec (in its own spelling).
          const current = {
            id: 'kc-1',
            username: spec.username,
            nextcloudId: spec.nextcloudId,
            passwordKeyId: null,
            ...(held.useSpec
              ? { ...spec, email: spec.email?.toUpperCase() ?? null, groups: [...spec.groups].reverse() }
              : held),
          };
          const same = differingFields(spec, current).length === 0;
          expect((await digestOfIdpUser(current)) === (await digestOfSpec(spec))).toBe(same);
        },
      ),
      { numRuns: 300 },
    );
  });
});
