import { Command } from 'commander';
import { loadOrCreateSecrets, newSecret, saveSecrets } from '@keycloak-exapp/http-koa';
import type { CliEnv } from '../env.js';
import { printJson } from '../output.js';

export function secretCommand(env: CliEnv): Command {
  const secret = new Command('secret').description('the generated consumer secret on the persistent volume');
  secret
    .command('show')
    .description('print the consumer secret (used when KEYCLOAK_API_SECRET is not set)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
      if (env.KEYCLOAK_API_SECRET || env.KEYCLOAK_API_CONSUMERS)
        process.stderr.write(
          'note: KEYCLOAK_API_SECRET/KEYCLOAK_API_CONSUMERS is set and takes precedence over this secret\n',
        );
      if (opts.json) printJson({ consumerSecret: secrets.consumerSecret });
      else process.stdout.write(`${secrets.consumerSecret}\n`);
    });
  secret
    .command('rotate')
    .description(
      'replace the consumer secret; restart the server to apply it, then give consumers the new one',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
      const rotated = { ...secrets, consumerSecret: newSecret() };
      await saveSecrets(env.APP_PERSISTENT_STORAGE, rotated);
      if (opts.json) printJson({ consumerSecret: rotated.consumerSecret });
      else process.stdout.write(`${rotated.consumerSecret}\n`);
    });
  return secret;
}
