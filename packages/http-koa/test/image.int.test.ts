// The image Nextcloud installs (docker/Dockerfile, built by scripts/image.sh), run by testcontainers
// as AppAPI runs it: host networking on loopback, AppAPI's variables, a named volume at
// /nc_app_keycloak_data. The fake Nextcloud plays AppAPI and the proxies on the host.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { REPO_ROOT, call, infoXmlRoutes, type Reply } from './exapp-harness.js';
import { freshDatabase } from './postgres.js';
import { frpsTlsLines, makeFrpCertificates } from './frp-tls.js';
import { codeFlowWithNextcloudSession, decodeClaims } from './e2e/browser-code-flow.js';
import {
  IMAGE,
  STORAGE,
  REALM,
  started,
  appApiEnv,
  run,
  newVolume,
  exec,
  readJson,
  keycloakAdmin,
  passwordCredentials,
  openTalkToken,
  seed,
  cleanUpContainers,
} from './e2e/image-container.js';

// The engine here has no bridge network and no registry: testcontainers must not look for the
// bridge's gateway nor start Ryuk (whose image cannot be pulled); the tests remove what they start.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

afterAll(cleanUpContainers, 180_000);

describe(`the image ${IMAGE} under AppAPI's rules (dev-file)`, () => {
  let nc: FakeNextcloud;
  let container: StartedTestContainer;
  let port = 0;
  let rpPort = 0;
  const volume = newVolume();
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    expect(
      execFileSync('docker', ['image', 'inspect', IMAGE, '--format', '{{.Id}}'], { encoding: 'utf8' }),
    ).toMatch(/^sha256:/);
    nc = await new FakeNextcloud({ admins: ['admin'] }).start();
    seed(nc);
    port = await freePort();
    rpPort = await freePort();
    container = await run(volume, {
      ...appApiEnv(nc, port),
      // Browsers reach Keycloak's pages through HaRP (/exapps/keycloak): the classic proxy follows
      // redirects on the server, so behind it Keycloak needs a direct KC_HOSTNAME (README).
      NEXTCLOUD_PROXY: 'harp',
      KEYCLOAK_REDIRECT_URIS: JSON.stringify({ opentalk: [`http://127.0.0.1:${rpPort}/*`] }),
    });
    nc.exApp.target = { url: base() };
  }, 180_000);
  afterAll(() => nc?.stop());

  it('installs through AppAPI (heartbeat → init to 100 → enabled) and answers OpenTalk’s token call', async () => {
    const { progress, error } = await nc.appApi.install({ timeoutMs: 480_000 });
    expect(error).toBe('');
    expect(progress.at(-1)).toBe(100);
    const res = await openTalkToken(container, base(), 'alice');
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(
      expect.arrayContaining(['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type']),
    );
  }, 600_000);

  it('signs a browser in to Keycloak with its Nextcloud session alone (Sign in with Nextcloud), as the synced account', async () => {
    nc.exApp.routes = infoXmlRoutes();
    const login = await codeFlowWithNextcloudSession({
      nc,
      endpoints: `${nc.url}/exapps/${nc.exApp.appId}/realms/${REALM}/protocol/openid-connect`,
      clientId: 'opentalk',
      redirectUri: `http://127.0.0.1:${rpPort}/cb`,
      userId: 'alice',
    });
    // Only Keycloak and the ExApp's authorization endpoint, through Nextcloud's proxy: no form.
    expect(login.documents.some((u) => u.includes('/sign-in/authorize?'))).toBe(true);
    expect(login.state).toBe('code-flow-state');
    const fromApi = decodeClaims(
      ((await openTalkToken(container, base(), 'alice')).body as { id_token: string }).id_token,
    );
    expect(login.claims).toMatchObject({ sub: fromApi.sub, preferred_username: fromApi.preferred_username });
  }, 120_000);

  it('carries the OCI labels an admin checks: source, the release version, the commit, the licence', () => {
    const labels = JSON.parse(
      execFileSync('docker', ['image', 'inspect', IMAGE, '--format', '{{json .Config.Labels}}'], {
        encoding: 'utf8',
      }),
    ) as Record<string, string>;
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/ConductionNL/keycloak-exapp',
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.licenses': 'EUPL-1.2',
    });
    expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
  });

  it('runs as a non-root user that writes only to its volume (and the JVM’s /tmp)', async () => {
    expect(await exec(container, 'id -u')).not.toBe('0');
    expect(await exec(container, 'stat -c %u /proc/1')).not.toBe('0');
    const written = await exec(
      container,
      `find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path ${STORAGE} -o -path /tmp \\) -prune -o -user "$(id -u)" -print 2>/dev/null || true`,
    );
    expect(written.split('\n').filter(Boolean)).toEqual([]);
  });

  it("reports healthy through the image's own HEALTHCHECK", async () => {
    const deadline = Date.now() + 120_000;
    let status = '';
    while (Date.now() < deadline) {
      status = execFileSync(
        'docker',
        ['inspect', container.getId(), '--format', '{{.State.Health.Status}}'],
        {
          encoding: 'utf8',
        },
      ).trim();
      if (status === 'healthy' || status === 'unhealthy') break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect(status).toBe('healthy');
  }, 180_000);

  it('stops gracefully on `docker stop` (SIGTERM): exit 0 well within the stop timeout', async () => {
    const before = Date.now();
    await container.stop({ timeout: 60_000, remove: false });
    const seconds = (Date.now() - before) / 1000;
    const state = JSON.parse(
      execFileSync('docker', ['inspect', container.getId(), '--format', '{{json .State}}'], {
        encoding: 'utf8',
      }),
    ) as { ExitCode: number; OOMKilled: boolean; Running: boolean };
    expect(state).toMatchObject({ ExitCode: 0, Running: false });
    expect(seconds).toBeLessThan(60);
    // The server stopped Keycloak itself (Quarkus logs its own shutdown), without the SIGKILL fallback.
    const logs = execFileSync('docker', ['logs', container.getId()], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(logs).toContain('shutting down');
    expect(logs).toMatch(/stopped in \d/);
    expect(logs).not.toContain('did not stop within the grace period');
    execFileSync('docker', ['rm', '-f', container.getId()], { stdio: 'ignore' });
  }, 120_000);

  it('keeps the consumer secret, realm and users in a new container on the same volume, with 0 password writes', async () => {
    const progressReports = nc.calls.filter((c) => c.path === '/apps/app_api/ex-app/status').length;
    const again = await run(volume, appApiEnv(nc, port));
    container = again;
    // Resumed from the init marker: Keycloak starts and the realm is checked; no second install.
    let credentialsBefore: Record<string, number[]> | undefined;
    let res: Reply | undefined;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const beat = await call(base(), 'GET', '/heartbeat').catch(() => undefined);
      if (beat?.body?.keycloak === 'ready') {
        credentialsBefore ??= await passwordCredentials(await keycloakAdmin(again));
        res = await openTalkToken(again, base(), 'alice');
        if (res.status !== 503) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(res?.status, res?.text).toBe(200);
    expect(credentialsBefore?.alice).toHaveLength(1);
    expect(await passwordCredentials(await keycloakAdmin(again))).toEqual(credentialsBefore);
    expect(nc.calls.filter((c) => c.path === '/apps/app_api/ex-app/status').length).toBe(progressReports);
  }, 300_000);
});

/**
 * A container of `image` on a fresh volume with `env` on top of AppAPI's: `check` looks at it once
 * it runs, then AppAPI installs it and OpenTalk's call gets a token.
 */
async function installAndServeToken(
  env: Record<string, string>,
  image = IMAGE,
  check: (container: StartedTestContainer) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
  try {
    seed(nc);
    const port = await freePort();
    const container = await run(newVolume(), { ...appApiEnv(nc, port), ...env }, image);
    await check(container);
    nc.exApp.target = { url: `http://127.0.0.1:${port}` };
    expect((await nc.appApi.install({ timeoutMs: 480_000 })).error).toBe('');
    expect((await openTalkToken(container, `http://127.0.0.1:${port}`, 'alice')).status).toBe(200);
    await container.stop({ timeout: 60_000 });
  } finally {
    await nc.stop();
  }
}

describe('the image built for the other Keycloak served here (KEYCLOAK_VERSION=26.5.6)', () => {
  it('builds with the one setting, runs that Keycloak, installs and serves a token', async () => {
    const other = 'keycloak-exapp:test-kc-26.5.6';
    execFileSync('bash', [join(REPO_ROOT, 'scripts/image.sh')], {
      env: { ...process.env, KEYCLOAK_VERSION: '26.5.6', IMAGE: other },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 900_000,
    });
    await installAndServeToken({}, other, async (container) => {
      expect(await exec(container, 'cat /opt/keycloak-dist/dev-file/version.txt')).toMatch(
        /Version 26\.5\.6$/,
      );
      expect(await exec(container, 'echo $KEYCLOAK_VERSION')).toBe('26.5.6');
    });
  }, 1_200_000);
});

describe(`the image ${IMAGE} with KEYCLOAK_DB=postgres on the host's PostgreSQL`, () => {
  it('installs and serves a token', async () => {
    const database = freshDatabase('kc_image');
    try {
      await installAndServeToken(database.env);
    } finally {
      await database.drop();
    }
  }, 600_000);
});

describe(`the image ${IMAGE} in HaRP's FRP mode: frps → the image's frpc → its unix socket`, () => {
  let frps: ChildProcess;
  let work = '';
  afterAll(() => {
    frps?.kill('SIGTERM');
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs, serves a consumer through /exapps/keycloak/api/token and the discovery document through the proxy', async () => {
    const frpDir = join(
      REPO_ROOT,
      execFileSync('bash', [join(REPO_ROOT, 'scripts/frp.sh')], { encoding: 'utf8' }).trim(),
    );
    work = mkdtempSync(join(tmpdir(), 'image-frp-'));
    const bindPort = await freePort();
    const remotePort = await freePort();
    // HaRP's TLS for the tunnel, mounted where AppAPI mounts it (/certs/frp): frpc verifies frps.
    const certs = join(work, 'certs');
    makeFrpCertificates(certs);
    writeFileSync(
      join(work, 'frps.toml'),
      `bindAddr = "127.0.0.1"\nbindPort = ${bindPort}\nproxyBindAddr = "127.0.0.1"\nallowPorts = [{ single = ${remotePort} }]\n${frpsTlsLines(certs)}`,
    );
    frps = spawn(join(frpDir, 'frps'), ['-c', join(work, 'frps.toml')], { stdio: 'ignore' });
    const nc = await new FakeNextcloud({ admins: ['admin'] }).start();
    try {
      seed(nc);
      nc.exApp.routes = infoXmlRoutes();
      const container = await new GenericContainer(IMAGE)
        .withNetworkMode('host')
        .withEnvironment({
          ...appApiEnv(nc, remotePort),
          HP_SHARED_KEY: `harp-key-${randomBytes(8).toString('hex')}`,
          HP_FRP_ADDRESS: '127.0.0.1',
          HP_FRP_PORT: String(bindPort),
        })
        .withBindMounts([
          { source: newVolume(), target: STORAGE, mode: 'rw' },
          { source: certs, target: '/certs/frp', mode: 'ro' },
        ])
        .withWaitStrategy(Wait.forLogMessage(/listening on the HaRP unix socket/))
        .withStartupTimeout(120_000)
        .start();
      started.push(container);
      // HaRP reaches the ExApp only through its FRP server: the fake's target is frps's port.
      nc.exApp.target = { url: `http://127.0.0.1:${remotePort}` };
      await expect
        .poll(
          async () =>
            (await call(`http://127.0.0.1:${remotePort}`, 'GET', '/heartbeat').catch(() => undefined))?.body
              ?.frpc,
          {
            timeout: 60_000,
            interval: 500,
          },
        )
        .toBe('connected');
      expect((await nc.appApi.install({ timeoutMs: 480_000 })).error).toBe('');
      const { consumerSecret } = await readJson<{ consumerSecret: string }>(
        container,
        'keycloak-exapp-secrets.json',
      );
      const token = await call(nc.url, 'POST', '/exapps/keycloak/api/token?client_id=opentalk', {
        'x-api-secret': consumerSecret,
        'x-nc-user-id': 'alice',
      });
      expect(token.status, token.text).toBe(200);
      const discovery = await call(
        nc.url,
        'GET',
        `/exapps/keycloak/realms/${REALM}/.well-known/openid-configuration`,
      );
      expect(discovery.status).toBe(200);
      expect(discovery.body.issuer).toBe(`${nc.url}/exapps/keycloak/realms/${REALM}`);
      await container.stop({ timeout: 60_000 });
    } finally {
      await nc.stop();
    }
  }, 600_000);
});
