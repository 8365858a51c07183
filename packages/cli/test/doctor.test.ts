// `keycloak-exapp doctor` with nothing to talk to: one fault per cause, each with its fix; the checks
// that need a failed one are listed as not checked (without a fix of their own), not as more faults.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedPort, runCli } from './cli-run.js';

describe('keycloak-exapp doctor, Keycloak and Nextcloud down', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = {
      APP_SECRET: randomBytes(24).toString('hex'),
      APP_PERSISTENT_STORAGE: await mkdtemp(join(tmpdir(), 'doctor-')),
      NEXTCLOUD_URL: `http://127.0.0.1:${await closedPort()}`,
      KEYCLOAK_URL: `http://127.0.0.1:${await closedPort()}`,
      KEYCLOAK_ADMIN_CLIENT_ID: 'keycloak-exapp-admin',
      KEYCLOAK_ADMIN_CLIENT_SECRET: randomBytes(16).toString('hex'),
    };
  });

  it('names the two causes as faults with their fixes and the checks behind them as not checked; exit 9', async () => {
    const { code, stdout } = await runCli(['doctor'], env);
    expect(code).toBe(9);
    const lines = stdout.trimEnd().split('\n');
    const faults = lines.filter((l) => l.startsWith('✗ '));
    expect(faults.map((l) => l.slice(2, l.indexOf(':')))).toEqual([
      'Keycloak reachable and ready',
      'Nextcloud reachable, AppAPI signature accepted, acting user is an admin',
    ]);
    // Each fault is followed by its fix; nothing else has one.
    expect(lines.filter((l) => l.startsWith('    fix: '))).toHaveLength(2);
    for (const fault of faults) expect(lines[lines.indexOf(fault) + 1]).toMatch(/^ {4}fix: /);
    const skipped = lines.filter((l) => l.startsWith('– '));
    expect(skipped).toHaveLength(6);
    for (const line of skipped)
      expect(line).toMatch(
        /: not checked: needs "(Keycloak reachable and ready|realm "commonground" exists|the setup account .*)"$/,
      );
    expect(lines.at(-1)).toBe('2 of 10 checks failed; 6 not checked until they pass');
  });

  it('says the same in --json, each check with its status', async () => {
    const { code, json } = await runCli(['doctor', '--json'], env);
    expect(code).toBe(9);
    const checks = json() as { name: string; status: string; ok: boolean }[];
    const count = (status: string) => checks.filter((c) => c.status === status).length;
    expect([count('failed'), count('skipped'), count('ok')]).toEqual([2, 6, 2]);
    expect(checks.every((c) => c.ok === (c.status === 'ok'))).toBe(true);
  });
});
