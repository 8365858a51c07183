import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { Secret } from '@keycloak-exapp/core';
import {
  createLocalKeycloak,
  findJavaHome,
  installKeycloak,
  type KeycloakDatabase,
} from '@keycloak-exapp/adapter-keycloak';
import {
  EMBEDDED_ADMIN_CLIENT_ID,
  KEYCLOAK_CONSOLE_ADMIN,
  KEYCLOAK_RUNTIME_FILE,
  loadOrCreateSecrets,
} from '@keycloak-exapp/composition';
import type { CliEnv } from '../env.js';
import { keycloakConnectCommand } from './keycloak-connect.command.js';
import { printJson, stderrLogger } from '../output.js';

interface Runtime {
  readonly baseUrl: string;
  readonly managementUrl: string;
  readonly pid?: number;
}

function readRuntime(env: CliEnv): Runtime | undefined {
  const path = join(env.APP_PERSISTENT_STORAGE, KEYCLOAK_RUNTIME_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Runtime) : undefined;
}

/** `keycloak install | start | stop | status | connect`: the same code the server and the tests use. */
export function keycloakCommand(
  env: CliEnv,
  signal: AbortSignal,
  source: NodeJS.ProcessEnv = process.env,
): Command {
  const keycloak = new Command('keycloak').description('manage the local Keycloak distribution');
  keycloak
    .command('install')
    .description('fetch the Keycloak distribution from Maven Central, verify, unpack and build it (cached)')
    .addOption(
      new Option('--db <db...>', 'database vendors to build for')
        .choices(['dev-file', 'postgres'])
        .default(['dev-file']),
    )
    .option('--version <version>', 'Keycloak version', env.KEYCLOAK_VERSION)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { db: KeycloakDatabase[]; version: string; json?: boolean }) => {
      const javaHome = findJavaHome(opts.version, {
        explicit: env.KEYCLOAK_JAVA_HOME,
        javaHome: env.JAVA_HOME,
      });
      const installed = [];
      for (const db of opts.db) {
        installed.push(
          await installKeycloak({
            version: opts.version,
            build: { db },
            javaHome,
            cacheDir: env.KEYCLOAK_CACHE_DIR,
            logger: stderrLogger({}, true),
          }),
        );
      }
      if (opts.json) printJson(installed);
      else
        for (const i of installed)
          process.stdout.write(
            `Keycloak ${i.version} (${i.build.db}) ready at ${i.home} (Java ${i.javaHome})\n`,
          );
    });
  keycloak
    .command('start')
    .description('run Keycloak (embedded database on APP_PERSISTENT_STORAGE) in the foreground until Ctrl-C')
    .option('--json', 'print the URLs as JSON once ready')
    .action(async (opts: { json?: boolean }) => {
      const javaHome = findJavaHome(env.KEYCLOAK_VERSION, {
        explicit: env.KEYCLOAK_JAVA_HOME,
        javaHome: env.JAVA_HOME,
      });
      const installed = await installKeycloak({
        version: env.KEYCLOAK_VERSION,
        build: { db: 'dev-file' },
        javaHome,
        cacheDir: env.KEYCLOAK_CACHE_DIR,
        logger: stderrLogger(),
      });
      const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
      const supervisor = await createLocalKeycloak({
        installed,
        instanceDir: join(env.APP_PERSISTENT_STORAGE, 'keycloak'),
        database: { kind: 'dev-file' },
        admin: {
          clientId: EMBEDDED_ADMIN_CLIENT_ID,
          clientSecret: new Secret(secrets.keycloakAdminClientSecret),
        },
        adminUser: { username: KEYCLOAK_CONSOLE_ADMIN, password: new Secret(secrets.keycloakAdminPassword) },
        hostname: env.KC_HOSTNAME,
        logger: stderrLogger(),
      });
      const runtimeFile = join(env.APP_PERSISTENT_STORAGE, KEYCLOAK_RUNTIME_FILE);
      await supervisor.start({ signal });
      const runtime: Runtime = {
        baseUrl: supervisor.baseUrl,
        managementUrl: supervisor.managementUrl,
        pid: process.pid,
      };
      await writeFile(runtimeFile, `${JSON.stringify(runtime)}\n`);
      if (opts.json) printJson(runtime);
      else
        process.stdout.write(
          `Keycloak ready at ${supervisor.baseUrl} (admin console ${supervisor.baseUrl}/admin/)\n`,
        );
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await supervisor.stop({ graceMs: 30_000 });
      await rm(runtimeFile, { force: true });
    });
  keycloak
    .command('stop')
    .description('stop a Keycloak started with `keycloak start`')
    .action(async () => {
      const runtime = readRuntime(env);
      if (!runtime?.pid)
        throw new Error(`no Keycloak started by \`keycloak start\` under ${env.APP_PERSISTENT_STORAGE}`);
      try {
        process.kill(runtime.pid, 'SIGTERM');
      } catch {
        await rm(join(env.APP_PERSISTENT_STORAGE, KEYCLOAK_RUNTIME_FILE), { force: true });
        throw new Error(`process ${runtime.pid} is gone; removed the stale runtime file`);
      }
      for (let i = 0; i < 120; i++) {
        if (!existsSync(join(env.APP_PERSISTENT_STORAGE, KEYCLOAK_RUNTIME_FILE))) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      process.stdout.write('Keycloak stopped\n');
    });
  keycloak
    .command('status')
    .description('is the local Keycloak ready?')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const runtime = readRuntime(env);
      let ready = false;
      if (runtime) {
        try {
          ready =
            (await fetch(`${runtime.managementUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }))
              .status === 200;
        } catch {
          ready = false;
        }
      }
      const status = {
        state: runtime ? (ready ? 'ready' : 'not ready') : 'not running',
        baseUrl: runtime?.baseUrl ?? null,
      };
      if (opts.json) printJson(status);
      else process.stdout.write(`Keycloak: ${status.state}${runtime ? ` (${runtime.baseUrl})` : ''}\n`);
      if (!ready) process.exitCode = 6;
    });
  keycloak.addCommand(keycloakConnectCommand(env, signal, source));
  return keycloak;
}
