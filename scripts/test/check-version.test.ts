import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CHECK = join(import.meta.dirname, '..', 'check-version.mjs');
const REPO = join(import.meta.dirname, '..', '..');

function check(root: string) {
  const run = spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('check-version: the version in one place, followed everywhere', () => {
  const copies: string[] = [];
  afterEach(() => {
    for (const c of copies.splice(0)) rmSync(c, { recursive: true, force: true });
  });

  /** The files the check reads, copied from this repository. */
  function copy(): string {
    const root = mkdtempSync(join(tmpdir(), 'version-'));
    copies.push(root);
    for (const path of ['package.json', 'appinfo', 'docker/compose.yml', 'CHANGELOG.md'])
      cpSync(join(REPO, path), join(root, path), { recursive: true });
    cpSync(join(REPO, 'packages'), join(root, 'packages'), {
      recursive: true,
      filter: (src) => !/node_modules|dist|\.turbo|target/.test(src),
    });
    return root;
  }

  it('passes on this repository', () => {
    const { status, output } = check(REPO);
    expect(output).toMatch(/check-version: \d+ places name /);
    expect(status).toBe(0);
  });

  it.each([
    ['appinfo/info.xml', /<image-tag>[^<]+</, '<image-tag>9.9.9<', 'appinfo/info.xml <image-tag>'],
    ['docker/compose.yml', /keycloak-exapp:[\d.]+/, 'keycloak-exapp:9.9.9', 'docker/compose.yml image'],
    [
      'packages/core/package.json',
      /"version": "[^"]+"/,
      '"version": "9.9.9"',
      'packages/core/package.json version',
    ],
    ['CHANGELOG.md', /^## \[\d[^\]]*\]/m, '## [9.9.9]', 'CHANGELOG.md latest release'],
  ])('fails when %s disagrees, naming it', (file, pattern, replacement, named) => {
    const root = copy();
    writeFileSync(join(root, file), readFileSync(join(root, file), 'utf8').replace(pattern, replacement));
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain(`${named} is 9.9.9`);
  });
});
