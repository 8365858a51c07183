import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidKeycloakUsername,
  nextcloudIdFromUsername,
  usernameForNextcloudId,
} from '@keycloak-exapp/core';

describe('usernameForNextcloudId', () => {
  const awkward = ['Al', 'ALICE', 'alice', "o'brien", 'a b', 'x'.repeat(300), 'Zoë'];
  const username = usernameForNextcloudId;

  it('maps each awkward Nextcloud id to a distinct, valid Keycloak username', async () => {
    const usernames = await Promise.all(awkward.map((id) => username(id)));
    for (const name of usernames) expect(isValidKeycloakUsername(name), name).toBe(true);
    expect(new Set(usernames).size).toBe(awkward.length);
  });

  it('keeps ordinary lower-case ids as they are', async () => {
    expect(await username('alice')).toBe('alice');
    expect(await username('jan.de-vries')).toBe('jan.de-vries');
  });

  it('escapes what Keycloak would lower-case or reject', async () => {
    expect(await username('ALICE')).toBe('_41__4c__49__43__45_');
    expect(await username("o'brien")).toBe('o_27_brien');
    expect(await username('a b')).toBe('a_20_b');
    expect(await username('Zoë')).toBe('_5a_o_eb_');
    expect(await username('al')).toBe('_._al');
    expect(await username('Al')).toBe('_41_l');
  });

  it('keeps ids that differ only in case apart', async () => {
    expect(await username('Alice')).not.toBe(await username('alice'));
    expect((await username('alice')).toLowerCase()).not.toBe((await username('ALICE')).toLowerCase());
  });

  it('reverses every username that was not shortened by a hash', async () => {
    for (const id of awkward.filter((i) => i.length < 100))
      expect(nextcloudIdFromUsername(await username(id))).toBe(id);
    const long = await username('x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(255);
    expect(nextcloudIdFromUsername(long)).toBeUndefined();
    expect(nextcloudIdFromUsername('has space')).toBeUndefined();
  });

  it('is total, valid and injective for arbitrary strings (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        async (a, b) => {
          const ua = await username(a);
          expect(isValidKeycloakUsername(ua)).toBe(true);
          if (a !== b) expect(ua).not.toBe(await username(b));
          if (ua.length <= 255 && !ua.includes('_h')) expect(nextcloudIdFromUsername(ua)).toBe(a);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps over-long ids distinct by their hash', async () => {
    const a = `${'y'.repeat(299)}a`;
    const b = `${'y'.repeat(299)}b`;
    expect(await username(a)).not.toBe(await username(b));
    expect(isValidKeycloakUsername(await username(a))).toBe(true);
  });

  it('gives over-long ids the usernames earlier releases gave them (existing accounts stay found)', async () => {
    // Computed by the 0.1 mapping, before its SHA-256 moved to Web Crypto.
    expect(await username('x'.repeat(300))).toBe(
      `${'x'.repeat(190)}_h0d4e2ca9e9cbced7a7a5380eb29e1a3783b9b6d0`,
    );
    expect(await username('Ö'.repeat(40))).toBe('_d6_'.repeat(40));
  });
});

describe('isValidKeycloakUsername', () => {
  it('rejects what Keycloak 26 rejects', () => {
    for (const bad of ['al', 'a'.repeat(256), 'Alice', 'a b', "o'b", 'a/b', 'a%b', 'a\u0001b', 'a:b']) {
      expect(isValidKeycloakUsername(bad), bad).toBe(false);
    }
  });
});
