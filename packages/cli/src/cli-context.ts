import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigurationError, Secret, type Logger } from '@keycloak-exapp/core';
import type { KeycloakConnection } from '@keycloak-exapp/adapter-keycloak';
import type { NextcloudConnection } from '@keycloak-exapp/adapter-nextcloud';
import {
  EMBEDDED_ADMIN_CLIENT_ID,
  KEYCLOAK_RUNTIME_FILE,
  SECRETS_FILE,
  appApiConnection,
  createExAppContainer,
  loadOrCreateSecrets,
  resolveUseCases,
  sharedGraphSettings,
  type ExAppUseCases,
  type PersistentSecrets,
} from '@keycloak-exapp/composition';
import type { CliEnv } from './env.js';
import { FileUserDirectory } from './file-user-directory.js';

export interface SourceOptions {
  readonly usersFile?: string | undefined;
  readonly nextcloudUrl?: string | undefined;
}

export interface KeycloakTarget {
  readonly connection: KeycloakConnection;
  readonly baseUrl: string;
  readonly realm: string;
  /** The public base URL the server gave its Keycloak (from the runtime file), and from what. */
  readonly publicBase?: { readonly url: string; readonly source: string } | undefined;
}

function readSecrets(env: CliEnv): PersistentSecrets | undefined {
  const path = join(env.APP_PERSISTENT_STORAGE, SECRETS_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PersistentSecrets) : undefined;
}

/** Keycloak: KEYCLOAK_URL with an admin client, or the embedded one of the server's storage. */
export function keycloakTarget(env: CliEnv): KeycloakTarget {
  if (env.KEYCLOAK_URL) {
    if (!env.KEYCLOAK_ADMIN_CLIENT_ID || !env.KEYCLOAK_ADMIN_CLIENT_SECRET) {
      throw new ConfigurationError(
        'KEYCLOAK_URL needs KEYCLOAK_ADMIN_CLIENT_ID and KEYCLOAK_ADMIN_CLIENT_SECRET',
      );
    }
    const connection: KeycloakConnection = {
      baseUrl: env.KEYCLOAK_URL,
      admin: {
        kind: 'client',
        clientId: env.KEYCLOAK_ADMIN_CLIENT_ID,
        clientSecret: new Secret(env.KEYCLOAK_ADMIN_CLIENT_SECRET),
      },
    };
    return { connection, baseUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM };
  }
  const runtime = join(env.APP_PERSISTENT_STORAGE, KEYCLOAK_RUNTIME_FILE);
  const secrets = readSecrets(env);
  if (!existsSync(runtime) || !secrets) {
    throw new ConfigurationError(
      `no Keycloak: set KEYCLOAK_URL (and its admin client), or APP_PERSISTENT_STORAGE to the server's storage (${env.APP_PERSISTENT_STORAGE})`,
    );
  }
  const { baseUrl, publicBase } = JSON.parse(readFileSync(runtime, 'utf8')) as {
    baseUrl: string;
    publicBase?: { url: string; source: string };
  };
  const connection: KeycloakConnection = {
    baseUrl,
    admin: {
      kind: 'client',
      clientId: EMBEDDED_ADMIN_CLIENT_ID,
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  };
  return { connection, baseUrl, realm: env.KEYCLOAK_REALM, publicBase };
}

export function nextcloudConnection(env: CliEnv, opts: SourceOptions): NextcloudConnection {
  if (opts.nextcloudUrl) {
    if (!env.NEXTCLOUD_APP_PASSWORD)
      throw new ConfigurationError(
        '--nextcloud-url needs NEXTCLOUD_APP_PASSWORD (an app password of NEXTCLOUD_ACTING_USER)',
      );
    return {
      url: opts.nextcloudUrl,
      appId: env.APP_ID,
      appVersion: env.APP_VERSION,
      secret: new Secret(''),
      basicAuth: { user: env.NEXTCLOUD_ACTING_USER, password: new Secret(env.NEXTCLOUD_APP_PASSWORD) },
      requestTimeoutMs: env.NEXTCLOUD_TIMEOUT_SECONDS * 1000,
    };
  }
  if (!env.NEXTCLOUD_URL || !env.APP_SECRET) {
    throw new ConfigurationError(
      'no user source: pass --users-file, or --nextcloud-url with NEXTCLOUD_APP_PASSWORD, or set NEXTCLOUD_URL and APP_SECRET',
    );
  }
  return appApiConnection({ ...env, NEXTCLOUD_URL: env.NEXTCLOUD_URL, APP_SECRET: env.APP_SECRET });
}

/**
 * The use cases of a CLI run, from the same composition root as the server's: one graph, one
 * token cache shared by every use case, the same settings mapped the same way. Users come from a
 * users file, Nextcloud with an app password, or Nextcloud through AppAPI.
 */
export async function useCases(
  env: CliEnv,
  opts: SourceOptions,
  logger: Logger,
): Promise<ExAppUseCases & { target: KeycloakTarget }> {
  // A users file is read and checked first: a wrong one fails before Keycloak is contacted.
  const fileDirectory = opts.usersFile ? await FileUserDirectory.open(resolve(opts.usersFile)) : undefined;
  const target = keycloakTarget(env);
  const users = fileDirectory
    ? { directory: () => fileDirectory }
    : { nextcloud: { connection: nextcloudConnection(env, opts), actingUser: env.NEXTCLOUD_ACTING_USER } };
  const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
  const container = createExAppContainer({
    ...(await sharedGraphSettings(env)),
    logger,
    passwordKey: new Secret(secrets.passwordKey),
    keycloak: { connection: target.connection, realm: target.realm, maxQueuedGrants: env.TOKEN_QUEUE_MAX },
    users,
  });
  return { target, ...(await resolveUseCases(container)) };
}
