// What the admin's status page and Nextcloud's log say of the sync passes: the last pass of each
// kind with its counts and failures, and one log line per new failure, not one per minute.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@keycloak-exapp/core/testing';
import {
  NotFoundError,
  UpstreamUnavailableError,
  noopLogger,
  type CheapPassReport,
  type SyncReport,
} from '@keycloak-exapp/core';
import { ServerMetrics } from '../src/metrics.js';
import { MAX_FAILURES_SHOWN, SyncPasses } from '../src/lifecycle/sync-passes.js';

function fullReport(failedUsers: readonly string[], durationMs = 1500): SyncReport {
  return {
    dryRun: false,
    total: 10,
    created: 2,
    updated: 1,
    disabled: 1,
    deleted: 0,
    unchanged: 6 - failedUsers.length,
    failed: failedUsers.map((userId) => ({
      userId,
      action: 'create',
      code: 'UPSTREAM_ERROR',
      message: `Keycloak refused ${userId}`,
    })),
    durationMs,
    pass: 'verify',
  };
}

const cheapReport = (failed: readonly string[] = []): CheapPassReport => ({
  kind: 'cheap',
  pass: 'digest',
  directoryUsers: 10,
  created: 1,
  disabled: 0,
  reenabled: 0,
  deprovisioned: 0,
  failed: failed.map((userId) => ({ userId, code: 'UPSTREAM_UNAVAILABLE' })),
});

function setup(log: (level: number, message: string) => Promise<void> = () => Promise.resolve()) {
  const clock = new ManualClock(Date.parse('2026-12-04T10:00:00Z'));
  const lines: { level: number; message: string }[] = [];
  const passes = new SyncPasses({
    clock,
    logger: noopLogger,
    metrics: new ServerMetrics(() => ({ state: 'ready', restarts: 0 })),
    nextcloudLog: async (level, message) => {
      lines.push({ level, message });
      await log(level, message);
    },
  });
  return { clock, lines, passes };
}

const settle = () => new Promise((ok) => setImmediate(ok));

describe('the sync passes the status page shows', () => {
  it('keep the last full and reconcile pass: when, how long, what started it, counts and failures', async () => {
    const { clock, passes } = setup();
    expect(passes.last()).toEqual({ full: undefined, cheap: undefined });
    await passes.observe('full', 'request', () => {
      clock.advance(1500);
      return Promise.resolve(fullReport(['erin']));
    });
    await passes.observe('cheap', 'schedule', () => Promise.resolve(cheapReport()));
    const { full, cheap } = passes.last();
    expect(full).toEqual({
      kind: 'full',
      trigger: 'request',
      pass: 'verify',
      started_at: '2026-12-04T10:00:00.000Z',
      duration_ms: 1500,
      outcome: 'done',
      counts: { users: 10, created: 2, updated: 1, disabled: 1, deleted: 0, unchanged: 5 },
      failed_users: 1,
      failures: [{ user_id: 'erin', code: 'UPSTREAM_ERROR', reason: 'Keycloak refused erin' }],
    });
    expect(cheap).toMatchObject({
      kind: 'cheap',
      trigger: 'schedule',
      outcome: 'done',
      counts: { users: 10, created: 1, disabled: 0, reenabled: 0, deprovisioned: 0 },
      failed_users: 0,
    });
  });

  it('show at most the first failures, and count them all', async () => {
    const { passes } = setup();
    const many = Array.from({ length: 50 }, (_, i) => `user${i}`);
    await passes.observe('full', 'schedule', () => Promise.resolve(fullReport(many)));
    expect(passes.last().full!.failed_users).toBe(50);
    expect(passes.last().full!.failures).toHaveLength(MAX_FAILURES_SHOWN);
  });

  it('record a failed pass with its reason and still throw its error', async () => {
    const { passes, lines } = setup();
    await expect(
      passes.observe('full', 'request', () =>
        Promise.reject(new UpstreamUnavailableError('Keycloak did not answer')),
      ),
    ).rejects.toThrow('Keycloak did not answer');
    expect(passes.last().full).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_UNAVAILABLE', message: 'Keycloak did not answer' },
    });
    await settle();
    expect(lines).toEqual([
      { level: 3, message: 'Keycloak full sync failed: UPSTREAM_UNAVAILABLE: Keycloak did not answer' },
    ]);
  });

  it('take init’s own full sync, dated by its duration, and skip dry runs', () => {
    const { passes } = setup();
    passes.record('full', 'init', { ...fullReport([]), dryRun: true });
    expect(passes.last().full).toBeUndefined();
    passes.record('full', 'init', fullReport([], 60_000));
    expect(passes.last().full).toMatchObject({ trigger: 'init', started_at: '2026-12-04T09:59:00.000Z' });
  });
});

describe('sync failures in Nextcloud’s log', () => {
  it('write a warning naming the users and why, once until the failures change or clear', async () => {
    const { passes, lines } = setup();
    const run = (users: string[]) =>
      passes.observe('cheap', 'schedule', () => Promise.resolve(cheapReport(users)));
    await run(['erin']);
    await run(['erin']);
    await run(['erin']);
    await settle();
    expect(lines).toEqual([
      {
        level: 2,
        message:
          'Keycloak reconcile pass: 1 user(s) could not be synced to Keycloak: erin (UPSTREAM_UNAVAILABLE)',
      },
    ]);
    await run(['erin', 'frank']);
    await run([]);
    await run(['erin']);
    await settle();
    expect(lines.map((l) => l.message.split(': ')[1])).toEqual([
      '1 user(s) could not be synced to Keycloak',
      '2 user(s) could not be synced to Keycloak',
      '1 user(s) could not be synced to Keycloak',
    ]);
  });

  it('keep the full and the reconcile pass apart, so alternating passes do not repeat a line', async () => {
    const { passes, lines } = setup();
    for (let i = 0; i < 3; i++) {
      await passes.observe('cheap', 'schedule', () => Promise.resolve(cheapReport(['erin'])));
      await passes.observe('full', 'schedule', () => Promise.resolve(fullReport(['erin'])));
    }
    await settle();
    expect(lines).toHaveLength(2);
  });

  it('list five users and count the rest', async () => {
    const { passes, lines } = setup();
    await passes.observe('full', 'schedule', () =>
      Promise.resolve(fullReport(['a', 'b', 'c', 'd', 'e', 'f', 'g'])),
    );
    await settle();
    expect(lines[0]!.message).toMatch(
      /7 user\(s\) .*: a \(Keycloak refused a\), .* e \(Keycloak refused e\), and 2 more$/,
    );
  });

  it('stop asking a Nextcloud without the log endpoint, and go on recording', async () => {
    let refused = 0;
    const { passes } = setup(() => {
      refused++;
      return Promise.reject(new NotFoundError('no such endpoint'));
    });
    await passes.observe('full', 'schedule', () => Promise.resolve(fullReport(['a'])));
    await settle();
    await passes.observe('full', 'schedule', () => Promise.resolve(fullReport(['b'])));
    await settle();
    expect(refused).toBe(1);
    expect(passes.last().full!.failures[0]!.user_id).toBe('b');
  });
});
