// Packaging checks that need no Docker engine: info.xml follows AppAPI's rules (§7), declares every
// setting the server reads, and agrees with the repo's version pins; the image's commands exist.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';
import { envSchema, loadEnv } from '@keycloak-exapp/composition';
import { publishedPackages } from './published-packages.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const infoXml = readFileSync(join(ROOT, 'appinfo/info.xml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const tag = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!.trim());

/** Set by AppAPI (§1) or fixed by the image: not for the admin to set in the install dialog. */
const INJECTED = [
  'APP_ID',
  'APP_SECRET',
  'APP_VERSION',
  'APP_HOST',
  'APP_PORT',
  'NEXTCLOUD_URL',
  'AA_VERSION',
  'APP_PERSISTENT_STORAGE',
  'HP_SHARED_KEY',
  'HP_EXAPP_SOCK',
  'HP_FRP_ADDRESS',
  'HP_FRP_PORT',
];
const IMAGE = [
  'KEYCLOAK_VERSION',
  'KEYCLOAK_HOME',
  'KEYCLOAK_JAVA_HOME',
  'JAVA_HOME',
  'KEYCLOAK_CACHE_DIR',
  'KEYCLOAK_HTTP_PORT',
  'FRPC_BINARY',
  'FRP_CERTS_DIR',
];
/** Accepted for OpenRegister compose files; the install dialog shows KEYCLOAK_DB. */
const ALIASES = ['KC_DB'];

/**
 * The variables AppAPI 30–34 hands the container for an info.xml (read from app_api's
 * `ExAppService::getAppInfo` and `DockerActions::buildDeployEnvs`): the XML goes through
 * `json_decode(json_encode(simplexml))`, where an empty element becomes an empty array; each
 * variable's value is its `default` (`?? ''`), variables whose value is `''` are dropped, and
 * `sprintf('%s=%s', …)` prints an array as `Array`.
 */
function containerEnvFromInfoXml(xml: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of tag(xml, 'variable')) {
    const name = tag(variable, 'name')[0]!;
    const hasDefault = new RegExp('<default>|<default/>').test(variable);
    const text = tag(variable, 'default')[0];
    const value: string | [] = !hasDefault ? '' : text === undefined || text === '' ? [] : text;
    if (value === '') continue;
    env[name] = Array.isArray(value) ? 'Array' : value;
  }
  return env;
}

describe('appinfo/info.xml', () => {
  it('parses as XML with the elements AppAPI reads', () => {
    expect(SyntaxValidator.validate(infoXml)).toBe(true);
    expect(() => SyntaxValidator.validate('<info><id>x</info>')).toThrow();
    const parsed = new XMLParser().parse(infoXml);
    expect(parsed.info).toMatchObject({
      id: 'keycloak',
      'external-app': { 'docker-install': { image: 'conductionnl/keycloak-exapp' } },
    });
    expect(parsed.info['external-app'].routes.route.length).toBeGreaterThanOrEqual(4);
  });

  it('has id keycloak and the root package version, also as the image tag', () => {
    expect(tag(infoXml, 'id')).toEqual(['keycloak']);
    expect(tag(infoXml, 'version')).toEqual([rootPackage.version]);
    expect(tag(infoXml, 'image-tag')).toEqual([rootPackage.version]);
    // Nextcloud refuses to install an app whose max-version is below it: 30–34 are supported.
    expect(infoXml).toMatch(/<nextcloud min-version="30" max-version="34"\/>/);
  });

  it('has narrow anchored routes with valid access levels, OIDC public, the admin console for admins', () => {
    const routes = tag(infoXml, 'route').map((r) => ({
      url: tag(r, 'url')[0]!,
      level: tag(r, 'access_level')[0]!,
      verb: tag(r, 'verb')[0]!,
      bruteforce: tag(r, 'bruteforce_protection')[0],
    }));
    for (const r of routes) {
      expect(r.url, r.url).toMatch(/^\^\\\/\?/); // anchored, leading slash optional (NC 30–33.0.2)
      expect(r.url).not.toBe('^/.*');
      expect(['PUBLIC', 'USER', 'ADMIN']).toContain(r.level);
      expect(r.verb).toMatch(/^(GET|POST|PUT|DELETE)(,(GET|POST|PUT|DELETE))*$/);
      // Only failed credentials count toward a ban: never 403 (a disabled user is business).
      if (r.bruteforce) expect(JSON.parse(r.bruteforce)).not.toContain(403);
    }
    const levelOf = (path: string) => routes.find((r) => new RegExp(r.url).test(path))?.level;
    expect(levelOf('/realms/commonground/.well-known/openid-configuration')).toBe('PUBLIC');
    expect(levelOf('/realms/master/protocol/openid-connect/token')).toBe('ADMIN');
    expect(levelOf('/resources/abc/login/keycloak.v2/css/login.css')).toBe('PUBLIC');
    expect(levelOf('/admin/master/console/')).toBe('ADMIN');
    expect(levelOf('/api/token')).toBe('PUBLIC');
    expect(
      routes.find((r) => levelOf('/api/token') && new RegExp(r.url).test('/api/token'))?.bruteforce,
    ).toBe('[401,429]');
    const bruteforceOf = (path: string) => routes.find((r) => new RegExp(r.url).test(path))?.bruteforce;
    expect(bruteforceOf('/realms/commonground/protocol/openid-connect/token')).toBe('[401]');
    expect(bruteforceOf('/realms/commonground/protocol/openid-connect/userinfo')).toBeUndefined();
    expect(bruteforceOf('/admin/realms')).toBeUndefined();
    expect(levelOf('/heartbeat')).toBeUndefined();
  });

  it('declares every setting the server reads, and nothing it does not', () => {
    const declared = tag(infoXml, 'variable').map((v) => tag(v, 'name')[0]!);
    const read = Object.keys(envSchema.shape).filter(
      (name) => !INJECTED.includes(name) && !IMAGE.includes(name) && !ALIASES.includes(name),
    );
    expect([...declared].sort()).toEqual([...read].sort());
    for (const v of tag(infoXml, 'variable')) {
      expect(tag(v, 'description')[0]?.length, tag(v, 'name')[0]).toBeGreaterThan(10);
      expect(tag(v, 'default').length).toBeLessThanOrEqual(1);
      expect(tag(v, 'default')[0] ?? '').not.toMatch(/changeme|secret/i);
    }
  });

  it('hands the container no bogus value for a setting without a default (as AppAPI 30–34 builds it)', () => {
    const env = containerEnvFromInfoXml(infoXml);
    // A variable without a default is left out; one with a default arrives with it.
    expect(env.KC_HOSTNAME).toBeUndefined();
    expect(env.KEYCLOAK_URL).toBeUndefined();
    expect(env.KEYCLOAK_REALM).toBe('commonground');
    expect(Object.values(env)).not.toContain('Array');
    // The model itself: an empty <default></default> reaches the container as the word "Array".
    const empty =
      '<external-app><environment-variables><variable><name>X</name><default></default></variable></environment-variables></external-app>';
    expect(containerEnvFromInfoXml(empty)).toEqual({ X: 'Array' });
    // What the container gets, with AppAPI's own variables, is a valid configuration.
    const appApi = {
      APP_ID: 'keycloak',
      APP_SECRET: 's'.repeat(128),
      APP_VERSION: '0.1.0',
      APP_PORT: '23000',
      NEXTCLOUD_URL: 'https://cloud.example.nl',
    };
    expect(() => loadEnv({ ...env, ...appApi })).not.toThrow();
  });
});

describe('licence and package metadata', () => {
  it('is EUPL-1.2 everywhere the licence is named, as the original ExApp', () => {
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^EUROPEAN UNION PUBLIC LICENCE v\. 1\.2\n/);
    // Seven published packages today; a new one is checked without being listed here.
    expect(publishedPackages(ROOT)).toHaveLength(7);
    const manifests = ['package.json', ...publishedPackages(ROOT).map((p) => `packages/${p}/package.json`)];
    for (const file of manifests) {
      const manifest = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;
      expect(manifest.license, file).toBe('EUPL-1.2');
      expect(manifest.engines, file).toEqual({ node: '>=20.19' });
      if (file !== 'package.json') {
        expect(manifest.repository, file).toMatchObject({
          type: 'git',
          directory: file.replace('/package.json', ''),
        });
        expect(manifest.files, file).toEqual(expect.arrayContaining(['dist']));
      }
    }
    // The App Store's schema accepts agpl, mpl or apache only; agpl is EUPL-1.2's compatible licence.
    expect(tag(infoXml, 'licence')).toEqual(['agpl']);
    expect(infoXml).toContain('EUPL-1.2');
  });

  it("keeps the test fake and the web layer out of the CLI's required dependencies (optional: demo and serve load them)", () => {
    const cli = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    expect(Object.keys(cli.dependencies)).not.toContain('@keycloak-exapp/fake-nextcloud');
    expect(Object.keys(cli.dependencies)).not.toContain('@keycloak-exapp/http-koa');
    expect(Object.keys(cli.dependencies)).toContain('@keycloak-exapp/composition');
    expect(Object.keys(cli.optionalDependencies ?? {})).toEqual([
      '@keycloak-exapp/fake-nextcloud',
      '@keycloak-exapp/http-koa',
    ]);
  });
});

describe('docker/', () => {
  it('pins the Keycloak version the repo pins, Node 22 and Java 25', () => {
    expect(dockerfile).toContain(`ARG KEYCLOAK_VERSION=${DEFAULT_KEYCLOAK_VERSION}`);
    expect(dockerfile).toContain('ARG NODE_VERSION=22');
    expect(dockerfile).toMatch(/eclipse-temurin:25-jre/);
    expect(dockerfile).toMatch(/kc\.sh build --db=\$db --health-enabled=true --metrics-enabled=true/);
    expect(dockerfile).toMatch(/^USER exapp$/m);
    expect(readFileSync(join(ROOT, 'docker/compose.yml'), 'utf8')).toContain(
      `keycloak-exapp:${rootPackage.version}`,
    );
  });

  it('has an entry point and a healthcheck whose commands exist in the build output', () => {
    const entry =
      /ENTRYPOINT \["node", ((?:"--[a-z-]+=\d+", )*)"\/app\/(packages\/cli\/dist\/main\.js)", "(serve)"\]/.exec(
        dockerfile,
      );
    const health = /CMD \["node", "\/app\/(packages\/cli\/dist\/main\.js)", "(healthcheck)"\]/.exec(
      dockerfile,
    );
    expect(entry).not.toBeNull();
    expect(health).not.toBeNull();
    // The server's heap flags are ones Node accepts (a typo would stop the container at start).
    const flags = [...entry![1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
    expect(flags).toEqual(['--max-semi-space-size=8', '--heap-growing-percent=20']);
    execFileSync(process.execPath, [...flags, '-e', '0']);
    const main = join(ROOT, entry![2]!);
    expect(existsSync(main)).toBe(true);
    const help = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/^\s+serve\b/m);
    expect(help).toMatch(/^\s+healthcheck\b/m);
    // The healthcheck fails (exit 1) when nothing answers, so Docker marks the container unhealthy.
    expect(() =>
      execFileSync(process.execPath, [main, 'healthcheck'], {
        env: { PATH: process.env.PATH, APP_PORT: '1' },
        stdio: 'pipe',
      }),
    ).toThrow();
  });

  it('keeps build output, caches and secrets out of the build context', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
    for (const entry of ['node_modules', '.keycloak', '.data', '.git']) expect(ignore).toContain(entry);
  });
});
