// `keycloak connect`: the one-time setup of external mode, against the suite's Keycloak as the
// existing one; then the ExApp's sync with exactly the settings it printed.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import type {} from '../../adapter-keycloak/test/keycloak.global-setup.js';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';
import { runCli, startCliNextcloud } from './cli-run.js';

const server = inject('keycloakServers')[0]!;
const nc = new FakeNextcloud();
let baseEnv: Record<string, string>;
let storage: string;

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { ...baseEnv, ...env });

beforeAll(async () => {
  storage = await startCliNextcloud(nc, 'cli-connect-');
  baseEnv = {
    NEXTCLOUD_URL: nc.url,
    APP_ID: nc.exApp.appId,
    APP_SECRET: nc.exApp.secret,
    APP_PERSISTENT_STORAGE: storage,
  };
});
afterAll(async () => {
  await nc.stop();
  await rm(storage, { recursive: true, force: true });
});

describe('keycloak-exapp keycloak connect', () => {
  it('needs a one-time administrator whose secret is never on the command line', async () => {
    const none = await cli(['keycloak', 'connect', '--url', server.baseUrl]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--admin-user <name> or --admin-client <id>/);
    const noPassword = await cli(['keycloak', 'connect', '--url', server.baseUrl, '--admin-user', 'admin']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/KEYCLOAK_CONNECT_ADMIN_PASSWORD or on stdin/);
  });

  it('creates the realm and a least-privilege client once; a second run keeps both and the secret', async () => {
    const connectRealm = uniqueRealm('connect');
    const clientId = `exapp-${connectRealm}`;
    const args = ['keycloak', 'connect', '--url', server.baseUrl, '--admin-client', server.adminClientId];
    const run = () =>
      cli([...args, '--realm', connectRealm, '--client-id', clientId, '--json'], {
        KEYCLOAK_CONNECT_ADMIN_CLIENT_SECRET: server.adminClientSecret,
      });
    try {
      const first = await run();
      expect(first.code, first.stderr).toBe(0);
      const made = first.json();
      expect(made).toMatchObject({ clientCreated: true, settings: { KEYCLOAK_ADMIN_CLIENT_ID: clientId } });
      expect(made.realm.created).toContain(`realm:${connectRealm}`);
      const second = await run();
      expect(second.json()).toMatchObject({
        clientCreated: false,
        settings: { KEYCLOAK_ADMIN_CLIENT_SECRET: made.settings.KEYCLOAK_ADMIN_CLIENT_SECRET },
      });
      expect(second.json().realm.created).toEqual([]);
      // The ExApp's sync runs with exactly those credentials.
      const sync = await cli(['sync', '--json'], { ...made.settings, KEYCLOAK_REALM: connectRealm });
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.json()).toMatchObject({ failed: [] });
      expect(sync.json().created).toBeGreaterThanOrEqual(2); // alice and bob at least
    } finally {
      await realmHarness(server, connectRealm).deleteRealm();
    }
  });
});
