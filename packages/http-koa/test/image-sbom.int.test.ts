// The image's software bill of materials (#28, releases an admin can trust): scripts/sbom.sh scans
// the image scripts/image.sh built with Anchore's syft (pinned by checksum in tools/sbom, built once)
// into a CycloneDX JSON document. An admin's scanner reads it to answer "is this advisory in what I
// run?", so it must name, at the versions actually shipped, Keycloak's jars, the Java runtime, Node,
// the server's npm packages, HaRP's FRP client and the base's Debian packages.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './exapp-harness.js';
import { IMAGE } from './e2e/image-container.js';

interface Component {
  readonly type: string;
  readonly name: string;
  readonly version?: string;
  readonly purl?: string;
  readonly properties?: readonly { name: string; value: string }[];
}
interface Bom {
  readonly bomFormat: string;
  readonly specVersion: string;
  readonly metadata: { component: Component };
  readonly components: readonly Component[];
}

const location = (c: Component): string | undefined =>
  c.properties?.find((p) => p.name === 'syft:location:0:path')?.value;

describe('the image SBOM (scripts/sbom.sh)', () => {
  let bom: Bom;
  let imageEnv: Map<string, string>;
  const withPurl = (prefix: string): Component[] =>
    bom.components.filter((c) => c.purl?.startsWith(prefix) === true);

  beforeAll(() => {
    const path = execFileSync('bash', ['scripts/sbom.sh'], {
      cwd: REPO_ROOT,
      env: { ...process.env, IMAGE },
      encoding: 'utf8',
      timeout: 20 * 60_000,
    }).trim();
    bom = JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as Bom;
    const env = JSON.parse(
      execFileSync('docker', ['image', 'inspect', IMAGE, '--format', '{{json .Config.Env}}'], {
        encoding: 'utf8',
      }),
    ) as string[];
    imageEnv = new Map(
      env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  }, 25 * 60_000);

  it('is a CycloneDX document about this image, every package with a version', () => {
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(Number(bom.specVersion)).toBeGreaterThanOrEqual(1.5);
    const [name, tag] = IMAGE.split(':');
    expect(bom.metadata.component).toMatchObject({ type: 'container', name, version: tag });
    const packages = bom.components.filter((c) => c.purl !== undefined);
    expect(packages.length).toBeGreaterThan(500);
    expect(packages.filter((c) => !c.version)).toEqual([]);
  });

  it("names Keycloak's jars at the version the image runs", () => {
    const version = imageEnv.get('KEYCLOAK_VERSION');
    expect(version).toMatch(/^26\.\d+\.\d+$/);
    const keycloak = withPurl('pkg:maven/org.keycloak/');
    expect(keycloak.map((c) => c.name)).toEqual(
      expect.arrayContaining(['keycloak-core', 'keycloak-services', 'keycloak-quarkus-server']),
    );
    expect(new Set(keycloak.map((c) => c.version))).toEqual(new Set([version]));
    for (const jar of keycloak) expect(location(jar)).toMatch(/^\/opt\/keycloak-dist\//);
  });

  it('names the Java runtime and Node the image starts', () => {
    const java = bom.components.find((c) => c.purl?.startsWith('pkg:generic/oracle/openjdk@') === true);
    expect(java?.version).toMatch(/^(17|21|25)\.\d/);
    expect(location(java!)).toBe(`${imageEnv.get('KEYCLOAK_JAVA_HOME')}/release`);
    const node = bom.components.find((c) => c.purl?.startsWith('pkg:generic/node@') === true);
    expect(node?.version).toMatch(/^22\.\d+\.\d+$/); // the image runs Node 22 LTS
    expect(location(node!)).toBe('/usr/local/bin/node');
  });

  it("names every runtime dependency of the server's packages at the version package-lock.json installs", () => {
    const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    const inImage = execFileSync('docker', ['run', '--rm', '--entrypoint', 'ls', IMAGE, '/app/packages'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(inImage).toEqual(expect.arrayContaining(['core', 'composition', 'http-koa', 'cli']));
    const shipped = withPurl('pkg:npm/').filter((c) => location(c)?.startsWith('/app/') === true);
    const listed = new Set(shipped.map((c) => `${c.name}@${c.version}`));
    // Node's resolution: the package's own node_modules first, then the hoisted one.
    const installed = (pkg: string, name: string): string | undefined =>
      (lock.packages[`packages/${pkg}/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`])
        ?.version;
    const expected = inImage.flatMap((pkg) =>
      Object.keys(lock.packages[`packages/${pkg}`]?.dependencies ?? {})
        .filter((name) => !name.startsWith('@keycloak-exapp/'))
        .map((name) => `${name}@${installed(pkg, name)}`),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.filter((dep) => !listed.has(dep))).toEqual([]);
  });

  it("names HaRP's FRP client at the version tools/frp pins", () => {
    const pinned = /^require github\.com\/fatedier\/frp (v\S+)$/m.exec(
      readFileSync(join(REPO_ROOT, 'tools/frp/go.mod'), 'utf8'),
    )?.[1];
    const frp = bom.components.find(
      (c) => c.purl?.startsWith('pkg:golang/github.com/fatedier/frp@') === true,
    );
    expect(frp?.version).toBe(pinned);
    expect(location(frp!)).toBe('/usr/local/bin/frpc');
  });

  it("names the base's Debian packages, the C library and OpenSSL among them", () => {
    const debs = withPurl('pkg:deb/');
    expect(debs.length).toBeGreaterThan(50);
    expect(debs.map((c) => c.name)).toEqual(expect.arrayContaining(['libc6', 'libssl3']));
  });
});
