// docker/compose.yml, run (#28 point 7): Docker Compose (built from tools/compose by
// scripts/compose.sh) starts the file's PostgreSQL and ExApp on this machine's engine, on the
// file's own network. No registry is reachable, so the database is the postgres stand-in and the
// ExApp is the image scripts/image.sh built; Nextcloud cannot run here, so one small override puts a
// forwarder to the fake Nextcloud on the host where the file's `nextcloud` service is. Everything
// else is the file as an admin gets it: variable names, init script, volumes, dependencies.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { REPO_ROOT, call } from './exapp-harness.js';
import { decodeClaims } from './e2e/browser-code-flow.js';
import { IMAGE, seed } from './e2e/image-container.js';

const PROJECT = `kcx-compose-${randomBytes(3).toString('hex')}`;
const secret = (): string => randomBytes(24).toString('hex');
const SECRETS = {
  POSTGRES_PASSWORD: secret(),
  KEYCLOAK_DB_PASSWORD: secret(),
  NEXTCLOUD_ADMIN_PASSWORD: secret(),
  KEYCLOAK_API_SECRET: secret(),
};

interface ComposeConfig {
  services: Record<
    string,
    {
      image: string;
      environment?: Record<string, string>;
      volumes?: { type: string; source: string; target: string }[];
    }
  >;
}

describe('docker/compose.yml on the local engine (PostgreSQL and the ExApp)', () => {
  let nc: FakeNextcloud;
  let dir: string;
  let override: string;
  let failed = false;
  afterEach(({ task }) => {
    if (task.result?.state === 'fail') failed = true;
  });
  const compose = (args: string[], timeout = 120_000): string =>
    execFileSync('bash', ['scripts/compose.sh', '-p', PROJECT, '-f', override, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...SECRETS, APP_SECRET: nc.exApp.secret, KEYCLOAK_EXAPP_IMAGE: IMAGE },
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  /** One query in the compose file's database, as the `keycloak` role, unaligned rows. */
  const psql = (sql: string): string =>
    compose(['exec', '-T', 'db', 'psql', '-U', 'keycloak', '-d', 'keycloak', '-tAc', sql]);
  const exapp = (): string => {
    const id = compose(['ps', '-q', 'keycloak-exapp']).trim();
    const ip = execFileSync(
      'docker',
      ['inspect', id, '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}'],
      { encoding: 'utf8' },
    ).trim();
    return `http://${ip}:23000`;
  };

  beforeAll(async () => {
    nc = await new FakeNextcloud({ appId: 'keycloak', appVersion: '0.1.0', admins: ['admin'] }).start(
      0,
      '0.0.0.0',
    );
    seed(nc);
    const ncPort = new URL(nc.url).port;
    const subnet = `10.231.${randomBytes(1)[0]}`;
    dir = mkdtempSync(join(tmpdir(), 'kcx-compose-'));
    override = join(dir, 'fake-nextcloud.yml');
    // The `nextcloud` service becomes a TCP forwarder (in the ExApp image, which has Node) to the fake
    // on the host. This engine runs without the default bridge, so `host-gateway` has no address:
    // the project's network gets a subnet of its own and the host is its gateway.
    const forward = `const net=require('net');net.createServer(c=>{const u=net.connect(${ncPort},'host.docker.internal');c.pipe(u).pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy())}).listen(80)`;
    writeFileSync(
      override,
      [
        'services:',
        '  nextcloud:',
        `    image: ${IMAGE}`,
        '    user: root',
        `    entrypoint: ["node", "-e", ${JSON.stringify(forward)}]`,
        '    environment: !reset {}',
        '    volumes: !reset []',
        '    ports: !reset []',
        `    extra_hosts: ["host.docker.internal:${subnet}.1"]`,
        '    healthcheck: { disable: true }',
        'networks:',
        '  default:',
        `    ipam: { config: [{ subnet: ${subnet}.0/24, gateway: ${subnet}.1 }] }`,
        '',
      ].join('\n'),
    );
    compose(['up', '-d', '--no-build', '--pull', 'never'], 300_000);
    nc.exApp.target = { url: exapp() };
  }, 600_000);

  afterAll(() => {
    // What the services said, when something went wrong (the test's own error says what).
    if (override && failed) {
      try {
        process.stderr.write(compose(['logs', '--no-color', '--tail', '60']));
      } catch (e) {
        process.stderr.write(`compose logs: ${(e as Error).message}\n`);
      }
    }
    if (override) {
      try {
        compose(['down', '-v', '--timeout', '30'], 180_000);
      } catch (e) {
        process.stderr.write(`compose down: ${(e as Error).message}\n`);
      }
    }
    void nc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 200_000);

  it('installs through AppAPI and answers OpenTalk’s token call, with Keycloak on the compose PostgreSQL', async () => {
    const { progress, error } = await nc.appApi.install({ timeoutMs: 480_000 });
    expect(error).toBe('');
    expect(progress.at(-1)).toBe(100);

    // The secret an admin reads with the CLI inside the container (the service sets no KEYCLOAK_API_SECRET).
    const { consumerSecret } = JSON.parse(
      compose([
        'exec',
        '-T',
        'keycloak-exapp',
        'node',
        '/app/packages/cli/dist/main.js',
        'secret',
        'show',
        '--json',
      ]),
    ) as { consumerSecret: string };
    const res = await call(exapp(), 'POST', '/api/token?client_id=opentalk', {
      'x-api-secret': consumerSecret,
      'x-nc-user-id': 'alice',
    });
    expect(res.status, res.text).toBe(200);
    const body = res.body as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBeGreaterThan(0);
    const claims = decodeClaims(body.access_token);
    // The issuer the file's KC_HOSTNAME names: consumers behind Nextcloud's proxy use exactly this.
    expect(claims.iss).toBe(
      'http://localhost:8080/index.php/apps/app_api/proxy/keycloak/realms/commonground',
    );
    expect(claims.preferred_username).toBe('alice');

    // Keycloak stored the synced user in the `keycloak` database the init script created.
    const rows = psql(
      "select count(*) from user_entity u join realm r on r.id = u.realm_id where r.name = 'commonground' and u.username = 'alice'",
    ).trim();
    expect(rows).toBe('1');
  }, 600_000);

  it('its profiles give every ExApp service its own volume and database', () => {
    const config = JSON.parse(
      compose(['--profile', 'commonground', 'config', '--format', 'json']),
    ) as ComposeConfig;
    const exapps = Object.entries(config.services).filter(([name]) => name.startsWith('keycloak-exapp'));
    expect(exapps.map(([name]) => name).sort()).toEqual(['keycloak-exapp', 'keycloak-exapp-commonground']);
    const volumes = exapps.flatMap(([, s]) => (s.volumes ?? []).map((v) => v.source));
    const databases = exapps.map(([, s]) => s.environment?.KC_DB_URL);
    expect(volumes).toHaveLength(2);
    expect(new Set(volumes).size).toBe(volumes.length);
    expect(databases.every((url) => url?.startsWith('jdbc:postgresql://db:5432/'))).toBe(true);
    expect(new Set(databases).size).toBe(databases.length);
    // And the init script creates each database the services name.
    const created = psql('select datname from pg_database order by datname').split('\n');
    for (const url of databases) expect(created).toContain(url!.split('/').at(-1));
  });
});
