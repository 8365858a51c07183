import { describe, expect, it } from 'vitest';
import { AccessCache, type TokenSet } from '@keycloak-exapp/core';
import { ManualClock } from '@keycloak-exapp/core/testing';

function tokens(clock: ManualClock, accessSeconds: number, refreshSeconds: number | null): TokenSet {
  const now = clock.now();
  return {
    accessToken: `a${now}`,
    refreshToken: refreshSeconds === null ? null : `r${now}`,
    idToken: null,
    tokenType: 'Bearer',
    scope: 'openid',
    expiresIn: accessSeconds,
    expiresAt: now + accessSeconds * 1000,
    refreshExpiresAt: refreshSeconds === null ? null : now + refreshSeconds * 1000,
  };
}

describe('AccessCache is bounded', () => {
  it('keeps at most maxTokenSets token sets, evicting the least recently used', () => {
    const clock = new ManualClock();
    const cache = new AccessCache({ clock, maxTokenSets: 3 });
    for (const user of ['a', 'b', 'c']) cache.setTokens(user, 'opentalk', tokens(clock, 300, 1800));
    expect(cache.getTokens('a', 'opentalk')).toBeDefined(); // a is now the most recently used
    cache.setTokens('d', 'opentalk', tokens(clock, 300, 1800));
    expect(cache.cachedTokenCount).toBe(3);
    expect(cache.getTokens('b', 'opentalk')).toBeUndefined();
    expect(['a', 'c', 'd'].every((u) => cache.getTokens(u, 'opentalk'))).toBe(true);
  });

  it('drops a token set once neither its access nor its refresh token can serve', () => {
    const clock = new ManualClock();
    const cache = new AccessCache({ clock, maxTokenSets: 10 });
    cache.setTokens('a', 'opentalk', tokens(clock, 300, 1800));
    cache.setTokens('b', 'opentalk', tokens(clock, 300, null));
    clock.advance(301_000);
    expect(cache.getTokens('a', 'opentalk')).toBeDefined(); // refreshable
    expect(cache.getTokens('b', 'opentalk')).toBeUndefined(); // nothing left to use
    clock.advance(1_500_000);
    expect(cache.getTokens('a', 'opentalk')).toBeUndefined();
    expect(cache.cachedTokenCount).toBe(0);
  });

  it('sweeps spent token sets before evicting live ones when full', () => {
    const clock = new ManualClock();
    const cache = new AccessCache({ clock, maxTokenSets: 2 });
    cache.setTokens('old', 'opentalk', tokens(clock, 60, null));
    clock.advance(61_000);
    cache.setTokens('a', 'opentalk', tokens(clock, 300, 1800));
    cache.setTokens('b', 'opentalk', tokens(clock, 300, 1800));
    expect(cache.getTokens('a', 'opentalk')).toBeDefined();
    expect(cache.getTokens('b', 'opentalk')).toBeDefined();
    expect(cache.cachedTokenCount).toBe(2);
  });

  it('bounds directory verifications too, and forgetting a user drops every client of theirs', () => {
    const clock = new ManualClock();
    const cache = new AccessCache({ clock, maxTokenSets: 10, maxVerifiedUsers: 2 });
    const account = { verifiedAt: 0, passwordKeyId: null, lastPasswordResetAt: 0 };
    for (const user of ['a', 'b', 'c'])
      cache.setVerified(user, { ...account, account: { id: user } } as never);
    expect(cache.verifiedUserCount).toBe(2);
    expect(cache.getVerified('a')).toBeUndefined();
    cache.setTokens('c', 'opentalk', tokens(clock, 300, 1800));
    cache.setTokens('c', 'valtimo', tokens(clock, 300, 1800));
    cache.forgetUser('c');
    expect(cache.getVerified('c')).toBeUndefined();
    expect(cache.cachedTokenCount).toBe(0);
  });
});
