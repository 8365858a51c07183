// Publishable packages: each is packed with `npm pack`, the tarballs are installed into an empty
// folder outside the workspace (so nothing resolves through the monorepo), and the embedding
// examples run against them and the suite's real Keycloak.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type {} from '../../adapter-keycloak/test/keycloak.global-setup.js';
import { REPO_ROOT } from './exapp-harness.js';
import { publishedPackages } from './published-packages.js';

const run = promisify(execFile);
const server = inject('keycloakServers')[0]!;
const PACKAGES = publishedPackages(REPO_ROOT);

describe('the packages as npm publishes them', () => {
  let work = '';
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('install from their tarballs into an empty folder and run the embed script', async () => {
    work = await mkdtemp(join(tmpdir(), 'keycloak-exapp-pack-'));
    const tarballs = join(work, 'tarballs');
    const app = join(work, 'app');
    await mkdir(tarballs, { recursive: true });
    await mkdir(app, { recursive: true });
    for (const name of PACKAGES)
      await run('npm', ['pack', '--silent', '--pack-destination', tarballs], {
        cwd: join(REPO_ROOT, 'packages', name),
        timeout: 120_000,
      });
    const packed = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz'));
    expect(packed).toHaveLength(PACKAGES.length);
    await run('npm', ['init', '-y'], { cwd: app });
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed.map((f) => join(tarballs, f))],
      { cwd: app, timeout: 300_000 },
    );
    // What a tarball carries: built code, the realm file, no sources or tests.
    const installed = join(app, 'node_modules', '@keycloak-exapp');
    expect((await readdir(join(installed, 'adapter-keycloak'))).sort()).toEqual(
      expect.arrayContaining(['dist', 'package.json', 'realm']),
    );
    expect(await readdir(join(installed, 'core'))).not.toContain('src');

    await cp(join(REPO_ROOT, 'examples'), join(app, 'examples'), { recursive: true });
    // The graph the server and the CLI use (composition), from the tarballs.
    const realm = `packed-${randomBytes(3).toString('hex')}`;
    const { stdout, stderr } = await run(
      process.execPath,
      ['examples/embed-graph/sync-and-token.mjs', 'examples/users.json', 'alice', realm],
      {
        cwd: app,
        timeout: 180_000,
        env: {
          ...process.env,
          NODE_PATH: '',
          KEYCLOAK_URL: server.baseUrl,
          KEYCLOAK_ADMIN_CLIENT_ID: server.adminClientId,
          KEYCLOAK_ADMIN_CLIENT_SECRET: server.adminClientSecret,
          PASSWORD_KEY: randomBytes(24).toString('hex'),
        },
      },
    );
    expect(stderr).toContain(`realm ${realm}:`);
    expect(JSON.parse(stdout)).toMatchObject({ access_token: expect.stringMatching(/^eyJ/) });
    // The CLI installs and runs from its tarball too.
    const help = await run(join(app, 'node_modules', '.bin', 'keycloak-exapp'), ['--help'], { cwd: app });
    expect(help.stdout).toMatch(/serve/);
  }, 600_000);
});
