// Wrong settings as an admin meets them in `docker logs`: `keycloak-exapp serve` (the image's entry
// point) and the other commands name every offending variable, what it got (secrets masked) and
// what it needs, as text and as one JSON log line, exit 2, and never stop `--help` from working.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(resolve(import.meta.dirname, '../../..'), 'packages/cli/dist/main.js');
const APP_API = {
  APP_ID: 'keycloak',
  APP_SECRET: 'app-secret-value-0123456789abcdef',
  APP_VERSION: '1.0.0',
  APP_PORT: '23000',
  NEXTCLOUD_URL: 'http://nc.example.test/index.php',
};

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** [what the admin set, the variables the error must name, values that must not be printed]. */
const MATRIX: [string, Record<string, string>, string[], string[]][] = [
  ["nothing of AppAPI's", {}, ['APP_ID', 'APP_SECRET', 'APP_VERSION', 'APP_PORT', 'NEXTCLOUD_URL'], []],
  ['a port that is a word', { ...APP_API, APP_PORT: 'eighty' }, ['APP_PORT'], []],
  ['a URL that is not one', { ...APP_API, NEXTCLOUD_URL: 'nc.example.test' }, ['NEXTCLOUD_URL'], []],
  ['an unknown mode', { ...APP_API, KEYCLOAK_MODE: 'cluster' }, ['KEYCLOAK_MODE'], []],
  [
    'external mode without its settings',
    { ...APP_API, KEYCLOAK_MODE: 'external' },
    ['KEYCLOAK_URL', 'KEYCLOAK_ADMIN_CLIENT_ID', 'KEYCLOAK_ADMIN_CLIENT_SECRET'],
    [],
  ],
  [
    'consumers that are not JSON (their secrets stay hidden)',
    { ...APP_API, KEYCLOAK_API_CONSUMERS: '[{"name":"x","secret":"consumer-secret-0123456789' },
    ['KEYCLOAK_API_CONSUMERS'],
    ['consumer-secret-0123456789'],
  ],
  [
    'a weak console password',
    { ...APP_API, KC_BOOTSTRAP_ADMIN_USERNAME: 'kc-admin', KC_BOOTSTRAP_ADMIN_PASSWORD: 'Admin123' },
    ['KC_BOOTSTRAP_ADMIN_PASSWORD'],
    ['Admin123'],
  ],
  [
    'three wrong at once',
    { ...APP_API, KEYCLOAK_HTTP_PORT: 'abc', SYNC_INTERVAL_SECONDS: '-5', TOKEN_CACHE_ENABLED: 'maybe' },
    ['KEYCLOAK_HTTP_PORT', 'SYNC_INTERVAL_SECONDS', 'TOKEN_CACHE_ENABLED'],
    [],
  ],
];

describe('wrong settings', () => {
  it.each(MATRIX)(
    'serve with %s: names each variable, what it got and what it needs; exit 2',
    async (_, env, names, hidden) => {
      const { code, stdout, stderr } = await run(['serve'], env);
      expect(code).toBe(2);
      for (const name of names) expect(stderr).toMatch(new RegExp(`^  ${name}: got .+, expected .+$`, 'm'));
      const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        level: string;
        time: string;
        code: string;
        problems: { variable: string; got: string; expected: string }[];
      };
      expect(line).toMatchObject({ level: 'fatal', code: 'CONFIGURATION' });
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(line.problems.map((p) => p.variable)).toEqual(expect.arrayContaining(names));
      for (const value of [...hidden, APP_API.APP_SECRET]) expect(stdout + stderr).not.toContain(value);
    },
  );

  it('tells an admin outside AppAPI what sets the missing variables', async () => {
    const { stderr } = await run(['serve'], {});
    expect(stderr).toContain('AppAPI sets APP_ID, APP_SECRET, APP_VERSION, APP_PORT and NEXTCLOUD_URL');
  });

  it('never breaks --help, and names the variable for every other command', async () => {
    const bad = { KEYCLOAK_HTTP_PORT: 'abc' };
    for (const args of [['--help'], ['sync', '--help'], ['token', '--help'], []]) {
      const help = await run(args, bad);
      expect(help.code, args.join(' ')).toBe(args.length === 0 ? 2 : 0); // no command: a usage error
      expect(help.stdout + help.stderr, args.join(' ')).toContain('Usage: keycloak-exapp');
    }
    const sync = await run(['sync', '--dry-run'], bad);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('KEYCLOAK_HTTP_PORT: got "abc", expected a number');
  });
});

describe('inputs checked before anything happens', () => {
  it('--version prints the version, whatever the environment holds', async () => {
    const { version } = JSON.parse(readFileSync(join(MAIN, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const res = await run(['--version'], { KEYCLOAK_HTTP_PORT: 'abc' });
    expect(res).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('secret show on a volume without secrets says so (exit 3) and creates none', async () => {
    const volume = join(await mkdtemp(join(tmpdir(), 'secret-show-')), 'not-the-volume');
    const res = await run(['secret', 'show'], { APP_PERSISTENT_STORAGE: volume });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('no secrets at');
    expect(existsSync(volume)).toBe(false);
  });

  it('sync --users-file with a wrong file fails (exit 2) before Keycloak is contacted', async () => {
    let requests = 0;
    const keycloak = createServer((_, res) => {
      requests++;
      res.writeHead(503).end();
    });
    await new Promise<void>((ok) => keycloak.listen(0, '127.0.0.1', ok));
    try {
      const dir = await mkdtemp(join(tmpdir(), 'users-file-'));
      await writeFile(join(dir, 'users.json'), JSON.stringify([{ id: 'alice', bogus: true }]));
      const res = await run(['sync', '--users-file', join(dir, 'users.json')], {
        KEYCLOAK_MODE: 'external',
        KEYCLOAK_URL: `http://127.0.0.1:${(keycloak.address() as AddressInfo).port}`,
        KEYCLOAK_ADMIN_CLIENT_ID: 'admin',
        KEYCLOAK_ADMIN_CLIENT_SECRET: 'admin-secret',
        APP_PERSISTENT_STORAGE: join(dir, 'volume'),
      });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('users.json');
      expect(requests).toBe(0);
      expect(existsSync(join(dir, 'volume'))).toBe(false);
    } finally {
      keycloak.close();
    }
  });
});
