import { Command, Option } from 'commander';
import { findJavaHome, installKeycloak, type KeycloakDatabase } from '@keycloak-exapp/adapter-keycloak';
import type { CliEnv } from '../env.js';
import { stderrLogger } from '../output.js';

export function keycloakCommand(env: CliEnv): Command {
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
      const javaHome = findJavaHome(opts.version, { explicit: env.KEYCLOAK_JAVA_HOME });
      const installed = [];
      for (const db of opts.db) {
        installed.push(
          await installKeycloak({
            version: opts.version,
            build: { db },
            javaHome,
            cacheDir: env.KEYCLOAK_CACHE_DIR,
            logger: stderrLogger(),
          }),
        );
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(installed, null, 2)}\n`);
      else
        for (const i of installed)
          process.stdout.write(
            `Keycloak ${i.version} (${i.build.db}) ready at ${i.home} (Java ${i.javaHome})\n`,
          );
    });
  return keycloak;
}
