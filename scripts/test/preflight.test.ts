// scripts/preflight.sh: on a machine without what setup.sh cannot install itself, the README's
// first command stops at once and names every missing piece (#28 point 3). Each case runs the
// script with a PATH of its own (only the tools it names) and a JVM folder of its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = '26.7.3';
const work = mkdtempSync(join(tmpdir(), 'preflight-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const which = (tool: string): string =>
  execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();

/** A folder for PATH holding the named tools (links to this machine's), and bash's helpers. */
function pathWith(name: string, tools: string[], fakeNode?: string): string {
  const bin = join(work, name, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['dirname', 'sed', ...tools]) symlinkSync(which(tool), join(bin, tool));
  if (fakeNode) writeFileSync(join(bin, 'node'), `#!/bin/sh\necho ${fakeNode}\n`, { mode: 0o755 });
  return bin;
}

function jvmWith(name: string, javaVersions: string[]): string {
  const dir = join(work, name, 'jvm');
  for (const v of javaVersions) {
    mkdirSync(join(dir, `jdk-${v}`, 'bin'), { recursive: true });
    writeFileSync(join(dir, `jdk-${v}`, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(dir, `jdk-${v}`, 'release'), `JAVA_VERSION="${v}"\n`);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function preflight(
  path: string,
  env: Record<string, string> = {},
): { status: number | null; stderr: string } {
  const r = spawnSync(which('bash'), ['scripts/preflight.sh'], {
    cwd: ROOT,
    env: { PATH: path, KEYCLOAK_VERSION: VERSION, KEYCLOAK_CACHE_DIR: join(work, 'no-cache'), ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

describe('scripts/preflight.sh (run by setup.sh, before anything is installed)', () => {
  it('names every missing piece at once, each with how to get it, and exits 1', () => {
    const { status, stderr } = preflight(pathWith('bare', ['node']), {
      KEYCLOAK_EXAPP_JVM_DIR: jvmWith('bare', ['11.0.2']),
    });
    expect(status).toBe(1);
    const lines = stderr.split('\n').filter((l) => l.startsWith('  - '));
    expect(lines).toHaveLength(4);
    expect(stderr).toMatch(/- npm: 'sudo apt-get install npm'/);
    expect(stderr).toMatch(/- git: 'sudo apt-get install git'/);
    expect(stderr).toMatch(/- a JDK for Keycloak 26\.7\.3 \(Java 25 or 21 or 17; .*openjdk-21-jdk-headless/);
    expect(stderr).toMatch(/- Maven, to fetch keycloak-quarkus-dist 26\.7\.3 .*'sudo apt-get install maven'/);
  });

  it('refuses a Node.js older than 20', () => {
    const { status, stderr } = preflight(pathWith('old-node', ['npm', 'git', 'mvn'], 'v18.19.0'), {
      KEYCLOAK_EXAPP_JVM_DIR: jvmWith('old-node', ['21.0.8']),
    });
    expect(status).toBe(1);
    expect(stderr).toMatch(/- Node\.js 20 or newer \(found: v18\.19\.0\)/);
    expect(stderr.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(1);
  });

  it('passes with Node, git, a supported JDK and Maven; Maven is not needed once the distribution is cached', () => {
    const jvm = jvmWith('complete', ['25.0.3']);
    expect(
      preflight(pathWith('complete', ['node', 'npm', 'git', 'mvn']), { KEYCLOAK_EXAPP_JVM_DIR: jvm }),
    ).toEqual({
      status: 0,
      stderr: '',
    });
    const cache = join(work, 'cache');
    mkdirSync(join(cache, 'downloads'), { recursive: true });
    writeFileSync(join(cache, 'downloads', `keycloak-quarkus-dist-${VERSION}.tar.gz.verified`), '');
    expect(
      preflight(pathWith('no-maven', ['node', 'npm', 'git']), {
        KEYCLOAK_EXAPP_JVM_DIR: jvm,
        KEYCLOAK_CACHE_DIR: cache,
      }),
    ).toEqual({ status: 0, stderr: '' });
  });

  it("takes the operator's JAVA_HOME when Keycloak supports its Java", () => {
    const path = pathWith('java-home', ['node', 'npm', 'git', 'mvn']);
    const empty = jvmWith('java-home-empty', []);
    const own = join(jvmWith('java-home', ['21.0.8']), 'jdk-21.0.8');
    expect(preflight(path, { KEYCLOAK_EXAPP_JVM_DIR: empty, JAVA_HOME: own }).status).toBe(0);
    const old = join(jvmWith('java-home-old', ['11.0.2']), 'jdk-11.0.2');
    expect(preflight(path, { KEYCLOAK_EXAPP_JVM_DIR: empty, JAVA_HOME: old }).stderr).toMatch(
      /a JDK for Keycloak/,
    );
  });
});
