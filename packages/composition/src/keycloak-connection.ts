import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Secret, type Logger } from '@keycloak-exapp/core';
import {
  DEFAULT_KEYCLOAK_VERSION,
  createLocalKeycloak,
  findJavaHome,
  installKeycloak,
  type KeycloakConnection,
  type KeycloakProcessSupervisor,
  type RuntimeAccount,
} from '@keycloak-exapp/adapter-keycloak';
import type { ServerEnv } from './env.js';
import { loadOrCreateSecrets, saveSecrets, type PersistentSecrets } from './files/persistent-secrets.js';
import type { KeycloakPublicBase } from './public-base.js';

/** Written next to the secrets: the embedded Keycloak's loopback URLs, for the CLI. */
export const KEYCLOAK_RUNTIME_FILE = 'keycloak-runtime.json';

/** The service-account client the server creates in an embedded Keycloak; its secret is on the volume. */
export const EMBEDDED_ADMIN_CLIENT_ID = 'keycloak-exapp-admin';

/**
 * The realm's runtime account: a confidential client in the realm whose service account holds only
 * RUNTIME_REALM_ROLES. The running server acts as it; the admin client above (or external mode's
 * KEYCLOAK_ADMIN_CLIENT_*) is used for the realm reconcile of install, resume and upgrade alone.
 */
export const RUNTIME_CLIENT_ID = 'keycloak-exapp-runtime';

/**
 * The runtime account as the server on `storage` knows it: the secret on its volume, and, when the
 * realm already holds another one (a second server on the same realm), that one written back to the
 * volume so that the CLI's `doctor` and the next start use it too.
 */
export function runtimeAccountOnVolume(
  storage: string,
  secrets: PersistentSecrets,
  logger: Logger,
): RuntimeAccount {
  return {
    clientId: RUNTIME_CLIENT_ID,
    secret: new Secret(secrets.keycloakRuntimeClientSecret),
    keep: async (secret) => {
      const current = await loadOrCreateSecrets(storage, logger);
      await saveSecrets(storage, { ...current, keycloakRuntimeClientSecret: secret.reveal() });
      logger.info(
        { clientId: RUNTIME_CLIENT_ID },
        'the realm already held a secret for the runtime account (another server on this realm, or an admin regenerated it): this server uses and keeps that one',
      );
    },
  };
}

/** The admin console user of the embedded Keycloak (master realm); its password is on the volume. */
export const KEYCLOAK_CONSOLE_ADMIN = 'admin';

export interface KeycloakParts {
  readonly storage: string;
  readonly secrets: PersistentSecrets;
  readonly publicBase: KeycloakPublicBase;
  readonly logger: Logger;
  /** Test hook: extra KC_* settings and JVM options for the embedded Keycloak. */
  readonly keycloakEnv?: Readonly<Record<string, string>> | undefined;
}

/**
 * The Keycloak the server talks to: in embedded mode a supervised child (installed or taken from
 * KEYCLOAK_HOME, its instance on the volume, the console admin and service client bootstrapped),
 * whose loopback URLs are written for the CLI; in external mode the configured server and client.
 */
export async function connectKeycloak(
  env: ServerEnv,
  parts: KeycloakParts,
): Promise<{ supervisor: KeycloakProcessSupervisor | undefined; connection: KeycloakConnection }> {
  const { storage, secrets, publicBase, logger } = parts;
  let supervisor: KeycloakProcessSupervisor | undefined;
  let connection: KeycloakConnection;
  if (env.KEYCLOAK_MODE === 'embedded') {
    const version = env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
    const javaHome = findJavaHome(version, { explicit: env.KEYCLOAK_JAVA_HOME, javaHome: env.JAVA_HOME });
    // KC_FEATURES is a build-time option: `start --optimized` would only warn that it differs and
    // run without it, so each feature set gets its own build (cached per configuration).
    const features = (env.keycloakOperatorEnv.KC_FEATURES ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    const build = { db: env.KEYCLOAK_DB, ...(features.length > 0 ? { features } : {}) };
    const installed = env.KEYCLOAK_HOME
      ? { version, home: join(env.KEYCLOAK_HOME, env.KEYCLOAK_DB), javaHome, build }
      : await installKeycloak({
          version,
          javaHome,
          build,
          cacheDir: resolve(env.KEYCLOAK_CACHE_DIR),
          logger,
        });
    const adminClientId = EMBEDDED_ADMIN_CLIENT_ID;
    supervisor = await createLocalKeycloak({
      installed,
      instanceDir: join(storage, 'keycloak'),
      database:
        env.KEYCLOAK_DB === 'postgres'
          ? {
              kind: 'postgres',
              url: env.KC_DB_URL ?? '',
              username: env.KC_DB_USERNAME ?? '',
              password: new Secret(env.KC_DB_PASSWORD ?? ''),
            }
          : { kind: 'dev-file' },
      admin: { clientId: adminClientId, clientSecret: new Secret(secrets.keycloakAdminClientSecret) },
      // Keycloak creates this administrator on its first start only (an empty master realm).
      adminUser:
        env.KC_BOOTSTRAP_ADMIN_USERNAME && env.KC_BOOTSTRAP_ADMIN_PASSWORD
          ? {
              username: env.KC_BOOTSTRAP_ADMIN_USERNAME,
              password: new Secret(env.KC_BOOTSTRAP_ADMIN_PASSWORD),
            }
          : { username: KEYCLOAK_CONSOLE_ADMIN, password: new Secret(secrets.keycloakAdminPassword) },
      ...(env.KEYCLOAK_HTTP_PORT ? { httpPort: env.KEYCLOAK_HTTP_PORT } : {}),
      hostname: publicBase.url,
      hostnameAdmin: env.KC_HOSTNAME_ADMIN,
      env: { ...env.keycloakOperatorEnv, JAVA_OPTS_KC_HEAP: env.JAVA_OPTS_KC_HEAP, ...parts.keycloakEnv },
      logger,
    });
    // Where the CLI in this container finds the embedded Keycloak (its port is chosen at start).
    await writeFile(
      join(storage, KEYCLOAK_RUNTIME_FILE),
      `${JSON.stringify({ baseUrl: supervisor.baseUrl, managementUrl: supervisor.managementUrl, publicBase })}\n`,
    );
    connection = {
      baseUrl: supervisor.baseUrl,
      admin: {
        kind: 'client',
        clientId: adminClientId,
        clientSecret: new Secret(secrets.keycloakAdminClientSecret),
      },
    };
  } else {
    connection = {
      baseUrl: env.KEYCLOAK_URL!,
      admin: {
        kind: 'client',
        clientId: env.KEYCLOAK_ADMIN_CLIENT_ID!,
        clientSecret: new Secret(env.KEYCLOAK_ADMIN_CLIENT_SECRET!),
      },
    };
  }

  return { supervisor, connection };
}
