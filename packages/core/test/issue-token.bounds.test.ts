import { describe, expect, it } from 'vitest';
import { directoryUser, world } from './harness.js';

describe('IssueToken keeps what a caller can make it hold bounded', () => {
  it('runs at most maxConcurrentDirectoryChecks checks of distinct users at once; beyond: OVERLOADED at once', async () => {
    const w = await world({ token: { maxConcurrentDirectoryChecks: 64 } });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => w.token.execute({ userId: `unknown${i}`, clientId: 'opentalk' })),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes.filter((c) => c === 'USER_NOT_FOUND')).toHaveLength(64);
    expect(codes.filter((c) => c === 'OVERLOADED')).toHaveLength(136);
    expect(w.directory.requestCount).toBe(64);
    // Once those ended, the next ones are checked again.
    await expect(w.token.execute({ userId: 'unknown-later', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('remembers at most maxRememberedRenewalFailures failed renewals ahead', async () => {
    const users = Array.from({ length: 12 }, (_, i) => directoryUser(`u${i}`));
    const w = await world({
      users,
      token: { directoryTtlMs: 40_000, maxRememberedRenewalFailures: 5 },
    });
    for (const u of users) await w.token.execute({ userId: u.id, clientId: 'opentalk' });
    w.clock.advance(31_000); // past 3/4 of the TTL: each request renews its check ahead, in the background
    w.directory.setDown(true);
    for (const u of users) await w.token.execute({ userId: u.id, clientId: 'opentalk' });
    await new Promise((resolve) => setTimeout(resolve, 20)); // the renewals fail behind the requests
    expect(w.token.rememberedRenewalFailures).toBe(5);
  });
});
