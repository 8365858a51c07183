import { join } from 'node:path';
import type { Logger, Secret } from '@keycloak-exapp/core';
import { createInstanceHome, type InstalledKeycloak } from './distribution/keycloak-distribution.js';
import { freePort } from './process/free-port.js';
import {
  KeycloakProcessSupervisor,
  type KeycloakProcessOptions,
} from './process/keycloak-process-supervisor.js';

export type LocalKeycloakDatabase =
  | { readonly kind: 'dev-file' }
  | { readonly kind: 'postgres'; readonly url: string; readonly username: string; readonly password: Secret };

export interface LocalKeycloakOptions {
  readonly installed: InstalledKeycloak;
  /** This instance's own folder: its data (H2 files, transaction logs) lives here. */
  readonly instanceDir: string;
  readonly database: LocalKeycloakDatabase;
  /** The temporary admin service account Keycloak creates on its first start. */
  readonly admin: { readonly clientId: string; readonly clientSecret: Secret };
  /** A temporary admin user for the admin console, also created on the first start only. */
  readonly adminUser?: { readonly username: string; readonly password: Secret } | undefined;
  readonly httpPort?: number;
  readonly managementPort?: number;
  /** `KC_HOSTNAME`: the public base URL (the issuer's prefix); unset = derived from each request. */
  readonly hostname?: string | undefined;
  readonly hostnameAdmin?: string | undefined;
  /** Further `KC_*` settings from the admin (passed through the supervisor's allow-list). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  readonly graceMs?: number;
  readonly restart?: KeycloakProcessOptions['restart'];
}

/** A supervisor for a Keycloak of our own on loopback: instance home, ports, database and admin wired. */
export async function createLocalKeycloak(opts: LocalKeycloakOptions): Promise<KeycloakProcessSupervisor> {
  const home = await createInstanceHome(opts.installed.home, opts.instanceDir);
  const httpPort = opts.httpPort ?? (await freePort());
  const managementPort = opts.managementPort ?? (await freePort());
  const db: Record<string, string> =
    opts.database.kind === 'dev-file'
      ? { KC_DB_URL: `jdbc:h2:file:${join(home, 'data', 'h2', 'keycloakdb')};NON_KEYWORDS=VALUE` }
      : {
          KC_DB_URL: opts.database.url,
          KC_DB_USERNAME: opts.database.username,
          KC_DB_PASSWORD: opts.database.password.reveal(),
        };
  const hostname: Record<string, string> = opts.hostname
    ? { KC_HOSTNAME: opts.hostname, ...(opts.hostnameAdmin ? { KC_HOSTNAME_ADMIN: opts.hostnameAdmin } : {}) }
    : { KC_HOSTNAME_STRICT: 'false' };
  return new KeycloakProcessSupervisor({
    home,
    javaHome: opts.installed.javaHome,
    httpPort,
    managementPort,
    env: {
      // One node: no cluster discovery (production mode would look for peers through the database).
      KC_CACHE: 'local',
      ...opts.env,
      ...db,
      ...hostname,
      KC_HTTP_ENABLED: 'true',
      KC_HTTP_HOST: '127.0.0.1',
      KC_PROXY_HEADERS: 'xforwarded',
      KC_BOOTSTRAP_ADMIN_CLIENT_ID: opts.admin.clientId,
      KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: opts.admin.clientSecret.reveal(),
      ...(opts.adminUser
        ? {
            KC_BOOTSTRAP_ADMIN_USERNAME: opts.adminUser.username,
            KC_BOOTSTRAP_ADMIN_PASSWORD: opts.adminUser.password.reveal(),
          }
        : {}),
    },
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.graceMs ? { graceMs: opts.graceMs } : {}),
    ...(opts.restart ? { restart: opts.restart } : {}),
  });
}
