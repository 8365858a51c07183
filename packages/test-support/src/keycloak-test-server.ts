// Starts real Keycloak servers for the tests through the project's own supervisor.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Secret, type Logger } from '@keycloak-exapp/core';
import {
  DEFAULT_KEYCLOAK_VERSION,
  createLocalKeycloak,
  findJavaHome,
  installKeycloak,
  type KeycloakDatabase,
  type KeycloakProcessSupervisor,
} from '@keycloak-exapp/adapter-keycloak';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface KeycloakServerInfo {
  readonly db: KeycloakDatabase;
  readonly version: string;
  readonly baseUrl: string;
  readonly managementUrl: string;
  readonly adminClientId: string;
  readonly adminClientSecret: string;
}

export interface StartedKeycloakServer {
  readonly info: KeycloakServerInfo;
  readonly supervisor: KeycloakProcessSupervisor;
  stop(): Promise<void>;
}

const version = process.env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
export const pgUser = process.env.KEYCLOAK_TEST_PG_USER ?? 'keycloak_exapp_test';
export const pgPassword = process.env.KEYCLOAK_TEST_PG_PASSWORD ?? 'keycloak_exapp_test';
export const pgHost = process.env.KEYCLOAK_TEST_PG_HOST ?? '127.0.0.1';
export const pgPort = process.env.KEYCLOAK_TEST_PG_PORT ?? '5432';

/** Runs one SQL statement as the test role on the `postgres` database. */
export function psql(sql: string): void {
  execFileSync('psql', ['-h', pgHost, '-p', pgPort, '-U', pgUser, '-d', 'postgres', '-qc', sql], {
    env: { ...process.env, PGPASSWORD: pgPassword },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export interface KeycloakServerOptions {
  readonly graceMs?: number;
  /** KC_HOSTNAME: Keycloak's public URL, when browsers reach it through a proxy. */
  readonly hostname?: string;
}

/** Prepares one Keycloak (a fresh database each time) without starting it. */
export async function prepareKeycloakServer(
  db: KeycloakDatabase,
  logger?: Logger,
  opts: KeycloakServerOptions = {},
): Promise<StartedKeycloakServer> {
  const javaHome = findJavaHome(version, {
    explicit: process.env.KEYCLOAK_JAVA_HOME,
    javaHome: process.env.JAVA_HOME,
  });
  const installed = await installKeycloak({
    version,
    build: { db },
    javaHome,
    cacheDir: join(REPO_ROOT, '.keycloak'),
  });
  const instanceDir = await mkdtemp(join(tmpdir(), `keycloak-exapp-${db}-`));
  const adminClientId = 'exapp-test-admin';
  const adminClientSecret = randomBytes(24).toString('hex');
  let database: Parameters<typeof createLocalKeycloak>[0]['database'] = { kind: 'dev-file' };
  let dbName: string | undefined;
  if (db === 'postgres') {
    dbName = `kc_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    psql(`CREATE DATABASE ${dbName}`);
    database = {
      kind: 'postgres',
      url: `jdbc:postgresql://${pgHost}:${pgPort}/${dbName}`,
      username: pgUser,
      password: new Secret(pgPassword),
    };
  }
  const supervisor = await createLocalKeycloak({
    installed,
    instanceDir,
    database,
    admin: { clientId: adminClientId, clientSecret: new Secret(adminClientSecret) },
    ...(logger ? { logger } : {}),
    ...(opts.hostname ? { hostname: opts.hostname } : {}),
    graceMs: opts.graceMs ?? 20_000,
    env: { JAVA_OPTS_APPEND: process.env.KEYCLOAK_TEST_JAVA_OPTS ?? '-XX:TieredStopAtLevel=1' },
    restart: { baseDelayMs: 200 },
  });
  const stop = async (): Promise<void> => {
    await supervisor.stop({ graceMs: 20_000 });
    await rm(instanceDir, { recursive: true, force: true });
    if (dbName) psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  };
  return {
    supervisor,
    stop,
    info: {
      db,
      version,
      baseUrl: supervisor.baseUrl,
      managementUrl: supervisor.managementUrl,
      adminClientId,
      adminClientSecret,
    },
  };
}

/** Starts one Keycloak (a fresh database each time) and waits until it is ready. */
export async function startKeycloakServer(
  db: KeycloakDatabase,
  logger?: Logger,
  opts: KeycloakServerOptions = {},
): Promise<StartedKeycloakServer> {
  const server = await prepareKeycloakServer(db, logger, opts);
  try {
    await server.supervisor.start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
