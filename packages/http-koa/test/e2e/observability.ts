import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, OPS_SECRET, appApiAs, call } from '../exapp-harness.js';
import { e2e, token } from './context.js';

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
  });

  describe('logs', () => {
    it('never contain a secret, a password or a token used in this run', async () => {
      const issued = await token('alice', 'opentalk', OPENTALK_SECRET);
      const logs = e2e.h.logs();
      expect(logs).toContain('"audit":"token"');
      for (const secret of [
        OPENTALK_SECRET,
        OPS_SECRET,
        e2e.h.nc.exApp.secret,
        issued.body.access_token,
        issued.body.refresh_token,
        issued.body.id_token,
      ]) {
        expect(logs.includes(secret)).toBe(false);
      }
      const stored = JSON.parse(
        readFileSync(`${e2e.h.storage}/keycloak-exapp-secrets.json`, 'utf8'),
      ) as Record<string, string>;
      for (const value of Object.values(stored)) expect(logs.includes(value)).toBe(false);
    });
  });
}
