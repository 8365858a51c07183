import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';

/** The CLI's settings, read once from the environment (the only place the CLI reads it). */
const schema = z.object({
  KEYCLOAK_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default(DEFAULT_KEYCLOAK_VERSION),
  KEYCLOAK_JAVA_HOME: z.string().optional(),
  KEYCLOAK_CACHE_DIR: z.string().default('.keycloak'),
  APP_PERSISTENT_STORAGE: z.string().default('.data'),
  APP_ID: z.string().default('keycloak'),
  APP_SECRET: z.string().optional(),
  APP_VERSION: z.string().default('0.1.0'),
  AA_VERSION: z.string().optional(),
  NEXTCLOUD_URL: z.string().optional(),
  NEXTCLOUD_ACTING_USER: z.string().default('admin'),
  NEXTCLOUD_APP_PASSWORD: z.string().optional(),
  KEYCLOAK_URL: z.string().optional(),
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().optional(),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().optional(),
  KEYCLOAK_REALM: z.string().default('commonground'),
  KEYCLOAK_REALM_FILE: z.string().optional(),
  KEYCLOAK_API_SECRET: z.string().optional(),
  KEYCLOAK_API_CONSUMERS: z.string().optional(),
  KEYCLOAK_ALLOWED_CLIENTS: z.string().default('opentalk,openzaak,openklant,valtimo,nextcloud'),
  KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET: z.stringbool().default(false),
  KC_HOSTNAME: z.string().optional(),
  NEXTCLOUD_PROXY: z.enum(['harp', 'classic']).optional(),
  HP_SHARED_KEY: z.string().optional(),
  DEPROVISION_POLICY: z.enum(['disable', 'delete']).default('disable'),
});

export type CliEnv = Readonly<z.infer<typeof schema>>;

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment: ${z.prettifyError(parsed.error)}`);
  return Object.freeze({
    ...parsed.data,
    KEYCLOAK_CACHE_DIR: resolve(parsed.data.KEYCLOAK_CACHE_DIR),
    APP_PERSISTENT_STORAGE: resolve(parsed.data.APP_PERSISTENT_STORAGE),
  });
}
