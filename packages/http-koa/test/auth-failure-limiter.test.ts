import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '@keycloak-exapp/http-koa';

describe('AuthFailureLimiter', () => {
  it('blocks a client after too many failures, per window, and forgets the oldest clients beyond its bound', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(3, 1000, () => now, 5);
    for (let i = 0; i < 3; i++) {
      expect(limiter.isBlocked('10.0.0.1')).toBe(false);
      limiter.recordFailure('10.0.0.1');
    }
    expect(limiter.isBlocked('10.0.0.1')).toBe(true);
    expect(limiter.isBlocked('10.0.0.2')).toBe(false);
    now = 1000;
    expect(limiter.isBlocked('10.0.0.1')).toBe(false);
    for (let i = 0; i < 50; i++) limiter.recordFailure(`192.0.2.${i}`);
    expect(limiter.trackedClients).toBeLessThanOrEqual(5);
  });
});
