import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import { KEYCLOAK_CONSOLE_ADMIN, loadEnv, loadOrCreateSecrets } from '@keycloak-exapp/composition';
import type { CliEnv } from '../env.js';
import { readUsersFile } from '../users-file.js';

/**
 * The embedded default for newcomers: a fake Nextcloud with sample users, the ExApp server with its
 * own Keycloak (embedded database), the whole AppAPI install, then what you need to try it.
 */
export function demoCommand(env: CliEnv): Command {
  return new Command('demo')
    .description(
      'run Keycloak + the ExApp + a sample Nextcloud on this machine, and print how to get a token',
    )
    .option('--port <port>', 'port of the ExApp server', '8081')
    .option('--users-file <path>', 'sample users (JSON)', 'examples/users.json')
    .option('--storage <dir>', 'persistent storage of the demo', '.data/demo')
    .action(async (opts: { port: string; usersFile: string; storage: string }) => {
      const users = await readUsersFile(opts.usersFile);
      // The fake Nextcloud is an optional dependency, loaded only here: the other commands never
      // load a test fake.
      const { FakeNextcloud } = await import('@keycloak-exapp/fake-nextcloud');
      // The server too: every other command runs without the web layer (no Koa loaded).
      const { buildServer } = await import('@keycloak-exapp/http-koa');
      const nc = await new FakeNextcloud({ appSecret: randomBytes(32).toString('hex') }).start();
      // A local demo: browsers and curl reach Keycloak directly, so that is its issuer.
      const keycloakPort = await freePort();
      nc.addUsers(users);
      const storage = resolve(opts.storage);
      const serverEnv = loadEnv({
        APP_ID: nc.exApp.appId,
        APP_SECRET: nc.exApp.secret,
        APP_VERSION: nc.exApp.version,
        APP_HOST: '127.0.0.1',
        APP_PORT: opts.port,
        NEXTCLOUD_URL: nc.url,
        APP_PERSISTENT_STORAGE: storage,
        KEYCLOAK_CACHE_DIR: env.KEYCLOAK_CACHE_DIR,
        KEYCLOAK_VERSION: env.KEYCLOAK_VERSION,
        KEYCLOAK_JAVA_HOME: env.KEYCLOAK_JAVA_HOME,
        KEYCLOAK_HTTP_PORT: String(keycloakPort),
        KC_HOSTNAME: `http://127.0.0.1:${keycloakPort}`,
        LOG_LEVEL: 'warn',
      });
      const server = await buildServer(serverEnv, { logDestination: process.stderr });
      const http = await server.listen();
      const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
      nc.exApp.target = { url };
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        process.stderr.write('stopping Keycloak and the ExApp…\n');
        await server.close();
        await nc.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());

      process.stderr.write('starting Keycloak and installing the ExApp (the first run takes a minute)…\n');
      const { error } = await nc.appApi.install({ timeoutMs: 600_000 });
      if (error) throw new Error(`install failed: ${error}`);
      const secrets = await loadOrCreateSecrets(storage);
      const sample = users.find((u) => u.enabled)?.id ?? 'alice';
      process.stdout.write(
        [
          '',
          'keycloak-exapp demo is running.',
          `  Keycloak admin console:  ${server.keycloakUrl}/admin/   (user "${KEYCLOAK_CONSOLE_ADMIN}", password ${secrets.keycloakAdminPassword})`,
          `  ExApp server:            ${url}   (heartbeat: ${url}/heartbeat)`,
          `  Fake Nextcloud:          ${nc.url}   (users from ${opts.usersFile})`,
          `  Consumer secret:         ${secrets.consumerSecret}`,
          '',
          `Get a token for ${sample} as OpenTalk would:`,
          `  curl -s -X POST '${url}/api/token?client_id=opentalk' -H 'X-NC-USER-ID: ${sample}' -H 'X-API-SECRET: ${secrets.consumerSecret}'`,
          '',
          'Press Ctrl-C to stop everything.',
          '',
        ].join('\n'),
      );
    });
}
