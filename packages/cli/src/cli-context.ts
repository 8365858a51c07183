import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConfigurationError,
  DerivedPasswordVault,
  IssueToken,
  Secret,
  SyncAllUsers,
  SyncUser,
  systemClock,
  type Logger,
  type UserDirectory,
} from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider, loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { NextcloudHttp, NextcloudUserDirectory } from '@keycloak-exapp/adapter-nextcloud';
import {
  KEYCLOAK_RUNTIME_FILE,
  SECRETS_FILE,
  loadOrCreateSecrets,
  type PersistentSecrets,
} from '@keycloak-exapp/http-koa';
import type { CliEnv } from './env.js';
import { FileUserDirectory } from './file-user-directory.js';

export interface SourceOptions {
  readonly usersFile?: string | undefined;
  readonly nextcloudUrl?: string | undefined;
}

export interface KeycloakTarget {
  readonly http: KeycloakHttp;
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
    const http = new KeycloakHttp({
      baseUrl: env.KEYCLOAK_URL,
      admin: {
        kind: 'client',
        clientId: env.KEYCLOAK_ADMIN_CLIENT_ID,
        clientSecret: new Secret(env.KEYCLOAK_ADMIN_CLIENT_SECRET),
      },
    });
    return { http, baseUrl: env.KEYCLOAK_URL, realm: env.KEYCLOAK_REALM };
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
  const http = new KeycloakHttp({
    baseUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  });
  return { http, baseUrl, realm: env.KEYCLOAK_REALM, publicBase };
}

/** Users: a users file, Nextcloud with an admin app password, or Nextcloud through AppAPI. */
export function userDirectory(env: CliEnv, opts: SourceOptions): UserDirectory {
  if (opts.usersFile) return new FileUserDirectory(resolve(opts.usersFile));
  const connection = nextcloudConnection(env, opts);
  return new NextcloudUserDirectory(new NextcloudHttp(connection), { actingUser: env.NEXTCLOUD_ACTING_USER });
}

export function nextcloudConnection(env: CliEnv, opts: SourceOptions) {
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
    };
  }
  if (!env.NEXTCLOUD_URL || !env.APP_SECRET) {
    throw new ConfigurationError(
      'no user source: pass --users-file, or --nextcloud-url with NEXTCLOUD_APP_PASSWORD, or set NEXTCLOUD_URL and APP_SECRET',
    );
  }
  return {
    url: env.NEXTCLOUD_URL,
    appId: env.APP_ID,
    appVersion: env.APP_VERSION,
    secret: new Secret(env.APP_SECRET),
    aaVersion: env.AA_VERSION,
  };
}

export function allowedClients(env: CliEnv): string[] {
  return env.KEYCLOAK_ALLOWED_CLIENTS.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
}

export async function useCases(env: CliEnv, opts: SourceOptions, logger: Logger) {
  const target = keycloakTarget(env);
  const identityProvider = new KeycloakIdentityProvider(target.http, target.realm);
  const directory = userDirectory(env, opts);
  const secrets = await loadOrCreateSecrets(env.APP_PERSISTENT_STORAGE);
  const passwordVault = await DerivedPasswordVault.fromKey(new Secret(secrets.passwordKey));
  return {
    target,
    identityProvider,
    directory,
    realmSpec: () => loadRealmFile(env.KEYCLOAK_REALM_FILE, { realm: env.KEYCLOAK_REALM }),
    syncAll: (concurrency?: number) =>
      new SyncAllUsers({
        identityProvider,
        userDirectory: directory,
        clock: systemClock,
        logger,
        config: { deprovisionPolicy: env.DEPROVISION_POLICY, ...(concurrency ? { concurrency } : {}) },
      }),
    syncUser: () =>
      new SyncUser({
        identityProvider,
        userDirectory: directory,
        config: { deprovisionPolicy: env.DEPROVISION_POLICY },
      }),
    issueToken: () =>
      new IssueToken({
        identityProvider,
        userDirectory: directory,
        passwordVault,
        clock: systemClock,
        logger,
        config: { allowedClientIds: allowedClients(env), deprovisionPolicy: env.DEPROVISION_POLICY },
      }),
  };
}
