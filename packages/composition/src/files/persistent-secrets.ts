import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { noopLogger, type Logger } from '@keycloak-exapp/core';

const fileSchema = z.object({
  consumerSecret: z.string().min(32),
  passwordKey: z.string().min(32),
  keycloakAdminClientSecret: z.string().min(32),
  keycloakAdminPassword: z.string().min(20),
  /** The secret of the realm's runtime account (volumes from before it get one on load). */
  keycloakRuntimeClientSecret: z.string().min(32),
  /** The secret Keycloak's sign-in broker authenticates with here (volumes from before it get one on load). */
  signInClientSecret: z.string().min(32),
  /** The key before `secret rotate-password-key`, kept until its pass has moved every user off it. */
  previousPasswordKey: z.string().min(32).optional(),
});

export type PersistentSecrets = z.infer<typeof fileSchema>;

/** Secrets later versions added: generated on the first load of an older volume. */
const ADDED_LATER = ['keycloakRuntimeClientSecret', 'signInClientSecret'] as const;

export const SECRETS_FILE = 'keycloak-exapp-secrets.json';

function generate(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The secrets this ExApp generates itself (consumer secret, password derivation key, Keycloak's
 * bootstrap admin client secret and admin console password), kept on the persistent volume so they survive restarts and updates.
 * Created with mode 0600 on first start; never logged.
 */
export async function loadOrCreateSecrets(
  storageDir: string,
  logger: Logger = noopLogger,
): Promise<PersistentSecrets> {
  const path = join(storageDir, SECRETS_FILE);
  try {
    await assertOwnerOnly(path, logger);
    const stored = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    // A volume from before a secret existed gets one, kept from now on.
    const added = ADDED_LATER.filter((name) => typeof stored[name] !== 'string');
    const upgraded = added.length > 0;
    const parsed = fileSchema.safeParse({
      ...stored,
      ...Object.fromEntries(added.map((name) => [name, generate()])),
    });
    if (parsed.success) {
      if (upgraded) await saveSecrets(storageDir, parsed.data);
      return parsed.data;
    }
    throw new Error(`${path} is not a valid secrets file; move it away to regenerate`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets: PersistentSecrets = {
    consumerSecret: generate(),
    passwordKey: generate(),
    keycloakAdminClientSecret: generate(),
    keycloakAdminPassword: generate(),
    keycloakRuntimeClientSecret: generate(),
    signInClientSecret: generate(),
  };
  await saveSecrets(storageDir, secrets);
  return secrets;
}

/**
 * The secrets file must be readable by its owner only: a file others may read (a volume copied
 * with the wrong umask, say) is repaired to 0600 and the repair logged; a file another user owns
 * is refused, since this process could not keep it private.
 */
async function assertOwnerOnly(path: string, logger: Logger): Promise<void> {
  const info = await stat(path);
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && info.uid !== uid)
    throw new Error(
      `${path} belongs to another user (uid ${info.uid}); it must be this process's own (uid ${uid})`,
    );
  if ((info.mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    logger.warn(
      { path, mode: (info.mode & 0o777).toString(8) },
      'the secrets file was readable by others; its mode is now 0600 (rotate the password key if the volume was exposed)',
    );
  }
}

export async function saveSecrets(storageDir: string, secrets: PersistentSecrets): Promise<void> {
  await mkdir(storageDir, { recursive: true });
  const path = join(storageDir, SECRETS_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export function newSecret(): string {
  return generate();
}
