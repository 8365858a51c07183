// What an admin's Prometheus reads: counters end in _total, the last successful sync is a
// timestamp with that pass's counts, Keycloak's restarts only grow, and the process's own metrics.
import { describe, expect, it } from 'vitest';
import { ServerMetrics } from '../src/metrics.js';

describe('the server metrics', () => {
  it('name every counter *_total and carry prom-client’s process metrics', async () => {
    const metrics = new ServerMetrics(() => ({ state: 'ready', restarts: 0 }));
    const families = await metrics.registry.getMetricsAsJSON();
    const counters = families.filter((f) => String(f.type) === 'counter').map((f) => f.name);
    expect(counters.length).toBeGreaterThan(3);
    for (const name of counters) expect(name).toMatch(/_total$/);
    const names = families.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']),
    );
  });

  it('record when a sync kind last succeeded and what it did; a failed run leaves both', async () => {
    const metrics = new ServerMetrics(() => ({ state: 'ready', restarts: 0 }));
    const before = Date.now() / 1000;
    const report = {
      created: 3,
      updated: 1,
      disabled: 2,
      deleted: 0,
      unchanged: 94,
      failed: 1,
      durationMs: 5,
    };
    await metrics.observeSync('full', () => Promise.resolve(report));
    await expect(
      metrics.observeSync('full', () => Promise.reject(new Error('Nextcloud down'))),
    ).rejects.toThrow();
    const text = await metrics.registry.metrics();
    const stamp = Number(
      /^keycloak_exapp_sync_last_success_timestamp_seconds\{kind="full"\} (\S+)$/m.exec(text)?.[1],
    );
    expect(stamp).toBeGreaterThanOrEqual(Math.floor(before));
    expect(text).toContain('keycloak_exapp_sync_last_users{kind="full",result="created"} 3');
    expect(text).toContain('keycloak_exapp_sync_last_users{kind="full",result="failed"} 1');
    expect(text).toContain('keycloak_exapp_sync_runs_total{kind="full",outcome="failed"} 1');
  });

  it("count Keycloak's restarts as the supervisor does", async () => {
    let restarts = 0;
    const metrics = new ServerMetrics(() => ({ state: 'ready', restarts }));
    restarts = 2;
    expect(await metrics.registry.metrics()).toMatch(/^keycloak_exapp_keycloak_restarts_total 2$/m);
  });
});
