// A command run with --json fails in JSON too: `{error, code}` on stdout (the message stays on
// stderr for people), with the exit code of the README's table, so a script never parses prose.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { closedPort, runCli } from './cli-run.js';

const base = async () => ({
  APP_SECRET: randomBytes(24).toString('hex'),
  NEXTCLOUD_URL: `http://127.0.0.1:${await closedPort()}`,
  KEYCLOAK_URL: `http://127.0.0.1:${await closedPort()}`,
  KEYCLOAK_ADMIN_CLIENT_ID: 'keycloak-exapp-admin',
  KEYCLOAK_ADMIN_CLIENT_SECRET: randomBytes(16).toString('hex'),
});

describe('--json on failure', () => {
  it('token --json with Nextcloud down: the error as JSON with its code, exit 6', async () => {
    const res = await runCli(['token', 'alice', '--client', 'opentalk', '--json'], await base());
    expect(res.code).toBe(6);
    expect(res.json()).toEqual({
      error: expect.stringContaining('Nextcloud is unreachable'),
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(res.stderr).toContain('keycloak-exapp: ');
  });

  it('a usage error with --json: code USAGE, exit 2', async () => {
    const res = await runCli(['sync', '--no-such-flag', '--json'], await base());
    expect(res.code).toBe(2);
    expect(res.json()).toEqual({ error: "unknown option '--no-such-flag'", code: 'USAGE' });
  });

  it('without --json stdout stays empty on failure', async () => {
    const res = await runCli(['token', 'alice', '--client', 'opentalk'], await base());
    expect(res.code).toBe(6);
    expect(res.stdout).toBe('');
  });
});
