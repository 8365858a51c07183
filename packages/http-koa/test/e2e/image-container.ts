// The image's container as AppAPI runs it, for image.int.test.ts: AppAPI's variables, a named
// volume, and what the tests read from inside (files, Keycloak's admin API, OpenTalk's token call).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { KeycloakHttp } from '@keycloak-exapp/adapter-keycloak';
import { Secret } from '@keycloak-exapp/core';
import type { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { call, type Reply } from '../exapp-harness.js';

export const IMAGE = process.env.KEYCLOAK_EXAPP_IMAGE ?? 'keycloak-exapp:test';
export const STORAGE = '/nc_app_keycloak_data';
export const REALM = 'commonground';
export const volumes: string[] = [];
export const started: StartedTestContainer[] = [];

/** AppAPI's variables for a container on the host network (§1), and nothing else. */
export function appApiEnv(nc: FakeNextcloud, port: number): Record<string, string> {
  return {
    AA_VERSION: '32.0.0',
    APP_SECRET: nc.exApp.secret,
    APP_ID: nc.exApp.appId,
    APP_DISPLAY_NAME: 'Keycloak',
    APP_VERSION: nc.exApp.version,
    APP_HOST: '127.0.0.1',
    APP_PORT: String(port),
    APP_PERSISTENT_STORAGE: STORAGE,
    NEXTCLOUD_URL: `${nc.url}/index.php`,
    COMPUTE_DEVICE: 'CPU',
  };
}

export async function run(
  volume: string,
  env: Record<string, string>,
  image = IMAGE,
): Promise<StartedTestContainer> {
  const container = await new GenericContainer(image)
    .withNetworkMode('host')
    .withEnvironment(env)
    .withBindMounts([{ source: volume, target: STORAGE, mode: 'rw' }]) // a name: a Docker volume
    .withWaitStrategy(Wait.forLogMessage(/"msg":"listening/))
    .withStartupTimeout(120_000)
    .start();
  started.push(container);
  return container;
}

export function newVolume(): string {
  const name = `keycloak-exapp-test-${randomBytes(4).toString('hex')}`;
  volumes.push(name);
  return name;
}

export async function exec(container: StartedTestContainer, command: string): Promise<string> {
  const result = await container.exec(['sh', '-c', command]);
  if (result.exitCode !== 0) throw new Error(`${command}: exit ${result.exitCode}: ${result.output}`);
  return result.output.trim();
}

export async function readJson<T>(container: StartedTestContainer, file: string): Promise<T> {
  return JSON.parse(await exec(container, `cat ${STORAGE}/${file}`)) as T;
}

/** Keycloak's admin API from the host (it listens on loopback of the shared host network). */
export async function keycloakAdmin(container: StartedTestContainer): Promise<KeycloakHttp> {
  const runtime = await readJson<{ baseUrl: string }>(container, 'keycloak-runtime.json');
  const secrets = await readJson<{ keycloakAdminClientSecret: string }>(
    container,
    'keycloak-exapp-secrets.json',
  );
  return new KeycloakHttp({
    baseUrl: runtime.baseUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  });
}

export async function passwordCredentials(http: KeycloakHttp): Promise<Record<string, number[]>> {
  const users = JSON.parse(
    (await http.admin('GET', `admin/realms/${REALM}/users?max=100`, { what: 'list users' })).body,
  ) as { id: string; username: string }[];
  const out: Record<string, number[]> = {};
  for (const user of users) {
    const credentials = JSON.parse(
      (await http.admin('GET', `admin/realms/${REALM}/users/${user.id}/credentials`, { what: 'credentials' }))
        .body,
    ) as { type: string; createdDate: number }[];
    out[user.username] = credentials.filter((c) => c.type === 'password').map((c) => c.createdDate);
  }
  return out;
}

/** OpenTalk's exact request: the consumer secret the ExApp generated on its volume. */
export async function openTalkToken(
  container: StartedTestContainer,
  base: string,
  user: string,
): Promise<Reply> {
  const { consumerSecret } = await readJson<{ consumerSecret: string }>(
    container,
    'keycloak-exapp-secrets.json',
  );
  return call(base, 'POST', '/api/token?client_id=opentalk', {
    'x-api-secret': consumerSecret,
    'x-nc-user-id': user,
    'content-type': 'application/json',
  });
}

export function seed(nc: FakeNextcloud): void {
  nc.addUser({ id: 'alice', displayName: 'Alice Adams', email: 'alice@example.test', groups: ['staff'] });
  nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [] });
}

/** Stops every container the file started and removes their volumes. */
export async function cleanUpContainers(): Promise<void> {
  for (const container of started) await container.stop({ timeout: 30_000 }).catch(() => undefined);
  for (const volume of volumes) {
    try {
      execFileSync('docker', ['volume', 'rm', '-f', volume], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
