import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidKeycloakUsername,
  nextcloudIdFromUsername,
  sha256Hex,
  usernameForNextcloudId,
} from '@keycloak-exapp/core';

describe('usernameForNextcloudId', () => {
  const awkward = ['Al', 'ALICE', 'alice', "o'brien", 'a b', 'x'.repeat(300), 'Zoë'];

  it('maps each awkward Nextcloud id to a distinct, valid Keycloak username', () => {
    const usernames = awkward.map(usernameForNextcloudId);
    for (const username of usernames) expect(isValidKeycloakUsername(username), username).toBe(true);
    expect(new Set(usernames).size).toBe(awkward.length);
  });

  it('keeps ordinary lower-case ids as they are', () => {
    expect(usernameForNextcloudId('alice')).toBe('alice');
    expect(usernameForNextcloudId('jan.de-vries')).toBe('jan.de-vries');
  });

  it('escapes what Keycloak would lower-case or reject', () => {
    expect(usernameForNextcloudId('ALICE')).toBe('_41__4c__49__43__45_');
    expect(usernameForNextcloudId("o'brien")).toBe('o_27_brien');
    expect(usernameForNextcloudId('a b')).toBe('a_20_b');
    expect(usernameForNextcloudId('Zoë')).toBe('_5a_o_eb_');
    expect(usernameForNextcloudId('al')).toBe('_._al');
    expect(usernameForNextcloudId('Al')).toBe('_41_l');
  });

  it('keeps ids that differ only in case apart', () => {
    expect(usernameForNextcloudId('Alice')).not.toBe(usernameForNextcloudId('alice'));
    expect(usernameForNextcloudId('alice').toLowerCase()).not.toBe(
      usernameForNextcloudId('ALICE').toLowerCase(),
    );
  });

  it('reverses every username that was not shortened by a hash', () => {
    for (const id of awkward.filter((i) => i.length < 100))
      expect(nextcloudIdFromUsername(usernameForNextcloudId(id))).toBe(id);
    const long = usernameForNextcloudId('x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(255);
    expect(nextcloudIdFromUsername(long)).toBeUndefined();
    expect(nextcloudIdFromUsername('has space')).toBeUndefined();
  });

  it('is total, valid and injective for arbitrary strings (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (a, b) => {
          const ua = usernameForNextcloudId(a);
          expect(isValidKeycloakUsername(ua)).toBe(true);
          if (a !== b) expect(ua).not.toBe(usernameForNextcloudId(b));
          if (ua.length <= 255 && !ua.includes('_h')) expect(nextcloudIdFromUsername(ua)).toBe(a);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('keeps over-long ids distinct by their hash', () => {
    const a = `${'y'.repeat(299)}a`;
    const b = `${'y'.repeat(299)}b`;
    expect(usernameForNextcloudId(a)).not.toBe(usernameForNextcloudId(b));
    expect(isValidKeycloakUsername(usernameForNextcloudId(a))).toBe(true);
  });
});

describe('sha256Hex', () => {
  it('agrees with node:crypto on short, block-sized and unicode input', () => {
    for (const text of [
      '',
      'abc',
      'a'.repeat(55),
      'a'.repeat(56),
      'a'.repeat(64),
      'a'.repeat(1000),
      'Zoë 😀',
    ]) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    }
  });
});

describe('isValidKeycloakUsername', () => {
  it('rejects what Keycloak 26 rejects', () => {
    for (const bad of ['al', 'a'.repeat(256), 'Alice', 'a b', "o'b", 'a/b', 'a%b', 'a\u0001b', 'a:b']) {
      expect(isValidKeycloakUsername(bad), bad).toBe(false);
    }
  });
});
