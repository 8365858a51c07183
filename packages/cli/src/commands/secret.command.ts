import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { DerivedPasswordVault, NotFoundError, RotatePasswordKey, Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import { SECRETS_FILE, loadOrCreateSecrets, newSecret, saveSecrets } from '@keycloak-exapp/composition';
import { keycloakTarget } from '../cli-context.js';
import type { CliEnv } from '../env.js';
import { printJson, stderrLogger } from '../output.js';

/**
 * `secret rotate-password-key`: the answer to a leaked volume. A new key is written to the secrets
 * file first (the old one kept as `previousPasswordKey`), so a running server derives from the new
 * key at once and an interrupted pass is resumed by running the command again; then every managed
 * user holding a password under another key gets it re-set from the new key and their sessions
 * ended. Only when no user failed is the old key deleted.
 */
async function rotatePasswordKey(
  env: CliEnv,
  opts: { json?: boolean; concurrency: string },
  signal: AbortSignal,
): Promise<void> {
  const storage = env.APP_PERSISTENT_STORAGE;
  let secrets = await loadOrCreateSecrets(storage);
  const resuming = secrets.previousPasswordKey !== undefined;
  if (!resuming) {
    secrets = { ...secrets, previousPasswordKey: secrets.passwordKey, passwordKey: newSecret() };
    await saveSecrets(storage, secrets);
  }
  const vault = await DerivedPasswordVault.fromKey(new Secret(secrets.passwordKey));
  const target = keycloakTarget(env);
  const identityProvider = new KeycloakIdentityProvider(new KeycloakHttp(target.connection), target.realm);
  process.stderr.write(
    `${resuming ? 'resuming the rotation to' : 'rotating to'} password key ${vault.keyId} in realm ${target.realm}\n`,
  );
  let lastShown = 0;
  const result = await new RotatePasswordKey({
    identityProvider,
    passwordVault: vault,
    logger: stderrLogger({ command: 'rotate-password-key' }),
  }).execute(
    {
      concurrency: Number(opts.concurrency),
      onProgress: (p) => {
        const done = p.rotated + p.skipped + p.failed.length;
        if (done - lastShown >= 100) {
          lastShown = done;
          process.stderr.write(`  ${p.rotated} rotated, ${p.skipped} skipped, ${p.failed.length} failed\n`);
        }
      },
    },
    { signal },
  );
  const finished = result.failed.length === 0;
  if (finished) {
    const done = { ...(await loadOrCreateSecrets(storage)) };
    delete done.previousPasswordKey;
    await saveSecrets(storage, done);
  } else process.exitCode = 6;
  const summary = {
    keyId: vault.keyId,
    rotated: result.rotated,
    skipped: result.skipped,
    failed: result.failed,
    finished,
  };
  if (opts.json) printJson(summary);
  else
    process.stdout.write(
      `password key ${vault.keyId}: ${result.rotated} users rotated, ${result.skipped} skipped, ${result.failed.length} failed${finished ? '; the old key is deleted' : '; run the command again to resume (the old key is kept)'}\n`,
    );
}

export function secretCommand(env: CliEnv, signal: AbortSignal = new AbortController().signal): Command {
  const secret = new Command('secret').description('the generated consumer secret on the persistent volume');
  secret
    .command('show')
    .description('print the consumer secret (used when KEYCLOAK_API_SECRET is not set)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      // Showing never creates: an empty or wrong volume is said, not silently filled.
      const path = join(env.APP_PERSISTENT_STORAGE, SECRETS_FILE);
      if (!existsSync(path))
        throw new NotFoundError(
          `no secrets at ${path}: the server makes them on its first start; set APP_PERSISTENT_STORAGE to the ExApp's volume`,
        );
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
      // Showing never creates: an empty or wrong volume is said, not silently filled.
      const path = join(env.APP_PERSISTENT_STORAGE, SECRETS_FILE);
      if (!existsSync(path))
        throw new NotFoundError(
          `no secrets at ${path}: the server makes them on its first start; set APP_PERSISTENT_STORAGE to the ExApp's volume`,
        );
      const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
      const rotated = { ...secrets, consumerSecret: newSecret() };
      await saveSecrets(env.APP_PERSISTENT_STORAGE, rotated);
      if (opts.json) printJson({ consumerSecret: rotated.consumerSecret });
      else process.stdout.write(`${rotated.consumerSecret}\n`);
    });
  secret
    .command('rotate-password-key')
    .description(
      "replace the key every synced user's password is derived from (after a leaked volume): each user's password is re-set from the new key and their sessions ended; resumable",
    )
    .option('--concurrency <n>', 'password writes at once', '4')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean; concurrency: string }) => rotatePasswordKey(env, opts, signal));
  return secret;
}
