import { z } from 'zod';
import { appApiSettingsSchema, loggingSettingsSchema } from './settings/app-api.settings.js';
import { keycloakSettingsSchema, weakPasswordReason } from './settings/keycloak.settings.js';
import { syncSettingsSchema } from './settings/sync.settings.js';
import { tokenApiSettingsSchema } from './settings/token-api.settings.js';

/**
 * Every setting the server reads, with its default: one schema per concern (`settings/`), the
 * CLI reusing the same ones. This is the only file of the server that reads process.env;
 * `appinfo/info.xml` declares the same names for AppAPI.
 */
export const envSchema = appApiSettingsSchema
  .extend(keycloakSettingsSchema.shape)
  .extend(tokenApiSettingsSchema.shape)
  .extend(syncSettingsSchema.shape)
  .extend(loggingSettingsSchema.shape);

export type ServerEnv = Readonly<
  Omit<z.infer<typeof envSchema>, 'KEYCLOAK_DB'> & { KEYCLOAK_DB: 'dev-file' | 'postgres' }
>;

export class EnvError extends Error {}

/** Parses the environment once; a bad value names the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new EnvError(`invalid settings:\n${z.prettifyError(parsed.error)}`);
  const env = { ...parsed.data, KEYCLOAK_DB: parsed.data.KEYCLOAK_DB ?? parsed.data.KC_DB ?? 'dev-file' };
  if (
    env.KEYCLOAK_MODE === 'external' &&
    (!env.KEYCLOAK_URL || !env.KEYCLOAK_ADMIN_CLIENT_ID || !env.KEYCLOAK_ADMIN_CLIENT_SECRET)
  ) {
    throw new EnvError(
      'KEYCLOAK_MODE=external needs KEYCLOAK_URL, KEYCLOAK_ADMIN_CLIENT_ID and KEYCLOAK_ADMIN_CLIENT_SECRET',
    );
  }
  const { KC_BOOTSTRAP_ADMIN_USERNAME: user, KC_BOOTSTRAP_ADMIN_PASSWORD: password } = env;
  if ((user === undefined) !== (password === undefined))
    throw new EnvError(
      'KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither',
    );
  const weak = user !== undefined && password !== undefined ? weakPasswordReason(password, user) : undefined;
  if (weak)
    throw new EnvError(
      `KC_BOOTSTRAP_ADMIN_PASSWORD is refused because ${weak}: choose a long random password, or leave both unset to have one generated`,
    );
  return Object.freeze(env);
}
