import type { z } from 'zod';
import { appApiSettingsSchema, loggingSettingsSchema } from './settings/app-api.settings.js';
import { keycloakSettingsSchema, weakPasswordReason } from './settings/keycloak.settings.js';
import { syncSettingsSchema } from './settings/sync.settings.js';
import { keycloakPassthrough } from './settings/keycloak-passthrough.js';
import { EnvError, parseSettings, shownValue, type SettingProblem } from './settings/settings-error.js';
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
  Omit<z.infer<typeof envSchema>, 'KEYCLOAK_DB'> & {
    KEYCLOAK_DB: 'dev-file' | 'postgres';
    /** The operator's own settings for the embedded Keycloak (`KC_*`, `JAVA_OPTS_APPEND`, `TZ`). */
    keycloakOperatorEnv: Readonly<Record<string, string>>;
  }
>;

/** The variables AppAPI sets when it deploys the ExApp. */
const APP_API_VARIABLES = new Set(['APP_ID', 'APP_SECRET', 'APP_VERSION', 'APP_PORT', 'NEXTCLOUD_URL']);

function appApiHint(problems: readonly SettingProblem[]): string | undefined {
  return problems.some(
    (p) => APP_API_VARIABLES.has(p.variable) && p.got === shownValue(p.variable, undefined),
  )
    ? 'AppAPI sets APP_ID, APP_SECRET, APP_VERSION, APP_PORT and NEXTCLOUD_URL when it deploys the ExApp; ' +
        'to run the server outside AppAPI, set them yourself (docs/admin-guide.md: Configuration), or try `keycloak-exapp demo`.'
    : undefined;
}

/** Parses the environment once; every bad value is named with what it got and what it needs. */
export function loadEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const data = parseSettings(envSchema, source, appApiHint);
  const env = {
    ...data,
    KEYCLOAK_DB: data.KEYCLOAK_DB ?? data.KC_DB ?? 'dev-file',
    keycloakOperatorEnv: keycloakPassthrough(source, new Set(Object.keys(envSchema.shape))),
  };
  if (env.KEYCLOAK_MODE === 'external') {
    const missing = (
      ['KEYCLOAK_URL', 'KEYCLOAK_ADMIN_CLIENT_ID', 'KEYCLOAK_ADMIN_CLIENT_SECRET'] as const
    ).filter((name) => !env[name]);
    if (missing.length > 0)
      throw new EnvError(
        missing.map((variable) => ({
          variable,
          got: shownValue(variable, undefined),
          expected: 'a value with KEYCLOAK_MODE=external (`keycloak-exapp keycloak connect` prints them)',
        })),
      );
  }
  const features = env.keycloakOperatorEnv.KC_FEATURES;
  if (env.KEYCLOAK_MODE === 'embedded' && env.KEYCLOAK_HOME && features?.trim())
    throw EnvError.rule(
      'KC_FEATURES',
      shownValue('KC_FEATURES', features),
      `it unset with KEYCLOAK_HOME=${env.KEYCLOAK_HOME}: that Keycloak is prebuilt, and features are chosen at build time; or KEYCLOAK_HOME unset, so the ExApp builds Keycloak with them`,
    );
  const { KC_BOOTSTRAP_ADMIN_USERNAME: user, KC_BOOTSTRAP_ADMIN_PASSWORD: password } = env;
  if ((user === undefined) !== (password === undefined))
    throw EnvError.rule(
      user === undefined ? 'KC_BOOTSTRAP_ADMIN_USERNAME' : 'KC_BOOTSTRAP_ADMIN_PASSWORD',
      shownValue('KC_BOOTSTRAP_ADMIN_USERNAME', undefined),
      'KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither',
    );
  const weak = user !== undefined && password !== undefined ? weakPasswordReason(password, user) : undefined;
  if (weak)
    throw EnvError.rule(
      'KC_BOOTSTRAP_ADMIN_PASSWORD',
      `${shownValue('KC_BOOTSTRAP_ADMIN_PASSWORD', password)}, refused because ${weak}`,
      'a long random password, or leave both unset to have one generated',
    );
  return Object.freeze(env);
}
