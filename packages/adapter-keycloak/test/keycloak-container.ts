// KEYCLOAK_TEST_MODE=container: the same suites on the official image through testcontainers,
// for machines with a Docker engine. Not run in this repo's CI (no engine there).
import { randomBytes } from 'node:crypto';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';
import type { KeycloakServerInfo } from './keycloak-test-server.js';

export async function startKeycloakContainers(): Promise<
  { info: KeycloakServerInfo; stop: () => Promise<void> }[]
> {
  const version = process.env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION;
  const adminClientId = 'exapp-test-admin';
  const adminClientSecret = randomBytes(24).toString('hex');
  const container: StartedTestContainer = await new GenericContainer(`quay.io/keycloak/keycloak:${version}`)
    .withCommand(['start-dev', '--health-enabled=true'])
    .withEnvironment({
      KC_BOOTSTRAP_ADMIN_CLIENT_ID: adminClientId,
      KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: adminClientSecret,
    })
    .withExposedPorts(8080, 9000)
    .withWaitStrategy(Wait.forHttp('/health/ready', 9000))
    .withStartupTimeout(300_000)
    .start();
  const host = container.getHost();
  return [
    {
      info: {
        db: 'dev-file',
        version,
        baseUrl: `http://${host}:${container.getMappedPort(8080)}`,
        managementUrl: `http://${host}:${container.getMappedPort(9000)}`,
        adminClientId,
        adminClientSecret,
      },
      stop: async () => {
        await container.stop();
      },
    },
  ];
}
