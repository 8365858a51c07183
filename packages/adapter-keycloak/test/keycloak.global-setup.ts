// One real Keycloak per database vendor for the whole int run, started by our own supervisor.
// A KEYCLOAK_TEST_URL (with KEYCLOAK_TEST_ADMIN_CLIENT_ID/SECRET) wins and skips the start.
import type { TestProject } from 'vitest/node';
import {
  startKeycloakServer,
  type KeycloakServerInfo,
  type StartedKeycloakServer,
} from '@keycloak-exapp/test-support';

declare module 'vitest' {
  export interface ProvidedContext {
    keycloakServers: KeycloakServerInfo[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.KEYCLOAK_TEST_URL;
  if (external) {
    project.provide('keycloakServers', [
      {
        db: 'dev-file',
        version: process.env.KEYCLOAK_VERSION ?? 'external',
        baseUrl: external,
        managementUrl: process.env.KEYCLOAK_TEST_MANAGEMENT_URL ?? external,
        adminClientId: process.env.KEYCLOAK_TEST_ADMIN_CLIENT_ID ?? '',
        adminClientSecret: process.env.KEYCLOAK_TEST_ADMIN_CLIENT_SECRET ?? '',
      },
    ]);
    return () => Promise.resolve();
  }
  const started: StartedKeycloakServer[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  try {
    // KEYCLOAK_TEST_DATABASES narrows the run (e.g. "dev-file" while iterating); CI runs both.
    const databases = (process.env.KEYCLOAK_TEST_DATABASES ?? 'dev-file,postgres')
      .split(',')
      .map((d) => d.trim());
    const results = await Promise.allSettled(
      databases.map((db) => {
        if (db !== 'dev-file' && db !== 'postgres')
          throw new Error(`KEYCLOAK_TEST_DATABASES: unknown database "${db}"`);
        return startKeycloakServer(db);
      }),
    );
    for (const r of results) if (r.status === 'fulfilled') started.push(r.value);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stopAll();
    throw error;
  }
  project.provide(
    'keycloakServers',
    started.map((s) => s.info),
  );
  return stopAll;
}
