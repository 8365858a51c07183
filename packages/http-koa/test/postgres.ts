// The PostgreSQL the int tests run on the host (scripts/postgres.sh): a fresh database per test.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const pg = {
  user: process.env.KEYCLOAK_TEST_PG_USER ?? 'keycloak_exapp_test',
  password: process.env.KEYCLOAK_TEST_PG_PASSWORD ?? 'keycloak_exapp_test',
  host: process.env.KEYCLOAK_TEST_PG_HOST ?? '127.0.0.1',
  port: process.env.KEYCLOAK_TEST_PG_PORT ?? '5432',
};

function psql(sql: string): void {
  execFileSync('psql', ['-h', pg.host, '-p', pg.port, '-U', pg.user, '-d', 'postgres', '-qc', sql], {
    env: { ...process.env, PGPASSWORD: pg.password },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Creates an empty database; returns the settings Keycloak needs and a function that drops it. */
export function freshDatabase(prefix: string): { env: Record<string, string>; drop: () => Promise<void> } {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  psql(`CREATE DATABASE ${name}`);
  return {
    env: {
      KEYCLOAK_DB: 'postgres',
      KC_DB_URL: `jdbc:postgresql://${pg.host}:${pg.port}/${name}`,
      KC_DB_USERNAME: pg.user,
      KC_DB_PASSWORD: pg.password,
    },
    drop: () => Promise.resolve(psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}
