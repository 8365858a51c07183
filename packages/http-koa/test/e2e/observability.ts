import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, appApiAs, call, leakedSecrets, usedSecrets } from '../exapp-harness.js';
import { REALM, e2e, token } from './context.js';

export function describeObservability(): void {
  describe('metrics', () => {
    it('exposes token, sync and Keycloak metrics to admins only', async () => {
      expect((await call(e2e.h.url, 'GET', '/metrics')).status).toBe(401);
      expect((await call(e2e.h.url, 'GET', '/metrics', appApiAs(e2e.h.nc, 'carol'))).status).toBe(403);
      const res = await call(e2e.h.url, 'GET', '/metrics', appApiAs(e2e.h.nc, 'admin'));
      expect(res.status).toBe(200);
      expect(res.text).toMatch(
        /keycloak_exapp_token_requests_total\{outcome="issued",source="password"\} \d+/,
      );
      expect(res.text).toMatch(
        /keycloak_exapp_token_requests_total\{outcome="CLIENT_NOT_ALLOWED",source="none"\} \d+/,
      );
      expect(res.text).toMatch(/keycloak_exapp_keycloak_state\{state="ready"\} 1/);
      expect(res.text).toMatch(/keycloak_exapp_sync_runs_total\{kind="full",outcome="done"\} \d+/);
      expect(res.text).toMatch(/keycloak_exapp_upstream_grant_seconds_count/);
    });

    it("passes Keycloak's own health checks and metrics (its management port) to admins only", async () => {
      const admin = appApiAs(e2e.h.nc, 'admin');
      expect((await call(e2e.h.url, 'GET', '/keycloak-management/metrics')).status).toBe(401);
      expect(
        (await call(e2e.h.url, 'GET', '/keycloak-management/metrics', appApiAs(e2e.h.nc, 'carol'))).status,
      ).toBe(403);
      for (const check of ['health', 'health/ready', 'health/live', 'health/started']) {
        const res = await call(e2e.h.url, 'GET', `/keycloak-management/${check}`, admin);
        expect(res.status, check).toBe(200);
        expect(res.body, check).toMatchObject({ status: 'UP' });
      }
      const metrics = await call(e2e.h.url, 'GET', '/keycloak-management/metrics', admin);
      expect(metrics.status).toBe(200);
      // Keycloak's own Micrometer metrics: its HTTP requests and its JVM, not the ExApp's.
      expect(metrics.text).toMatch(/^http_server_requests_seconds_count\{/m);
      expect(metrics.text).toMatch(/^jvm_memory_used_bytes\{/m);
      expect(metrics.text).not.toMatch(/keycloak_exapp_/);
      expect((await call(e2e.h.url, 'GET', '/keycloak-management/health/x', admin)).status).toBe(404);
    });
  });

  describe('logs', () => {
    it('never contain a secret, a password or a token used or issued anywhere in this file', async () => {
      await token('alice', 'opentalk', OPENTALK_SECRET);
      const logs = e2e.h.logs();
      expect(logs).toContain('"audit":"token"');
      expect(usedSecrets.size).toBeGreaterThan(10); // every token the modules above were handed
      const users = ['alice', 'bob', 'Zoë', 'carol', 'dave', 'admin'];
      expect(await leakedSecrets(logs, e2e.h.storage, REALM, users)).toEqual([]);
    });
  });
}
