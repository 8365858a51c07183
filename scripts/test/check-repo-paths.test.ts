import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CHECK = join(import.meta.dirname, '..', 'check-repo-paths.mjs');
// The hostile paths are assembled at run time, so this file does not trip the check itself.
const UP = (n: number) => '../'.repeat(n);
const SEGMENTS = (n: number) => Array(n).fill("'..'").join(', ');
const REFERENCE = ['shared', 'fixtures', 'nextcloud'].join('/');
const REPO = join(import.meta.dirname, '..', '..');

function check(root: string) {
  const run = spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('check-repo-paths: nothing in the repository reads a path outside it', () => {
  const trees: string[] = [];
  afterEach(() => {
    for (const t of trees.splice(0)) rmSync(t, { recursive: true, force: true });
  });

  /** A repository-like tree (no .git, so the checker walks it) with the given files. */
  function tree(files: Record<string, string>): string {
    const base = mkdtempSync(join(tmpdir(), 'repo-paths-'));
    trees.push(base);
    const root = join(base, 'repo');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('passes on this repository', () => {
    const { status, output } = check(REPO);
    expect(output).toContain('no file refers to a path outside');
    expect(status).toBe(0);
  });

  it('fails when a test reads the reference folder beside the repository', () => {
    const root = tree({
      'packages/x/test/a.test.ts': `const F = resolve(import.meta.dirname, '${UP(4)}${REFERENCE}');\n`,
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('packages/x/test/a.test.ts:1');
    expect(output).toContain('climbs out of the repository');
  });

  it('fails on a climb written as path segments and on a script that leaves the root', () => {
    const root = tree({
      'packages/x/src/a.ts': `join(import.meta.dirname, ${SEGMENTS(4)}, 'elsewhere');\n`,
      'scripts/run.sh': `cat ${UP(2)}other/file\n`,
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('packages/x/src/a.ts:1');
    expect(output).toContain('scripts/run.sh:1');
  });

  it('accepts climbs that stay inside the repository and ignores node_modules', () => {
    const root = tree({
      'packages/x/test/a.test.ts': `join(import.meta.dirname, ${SEGMENTS(3)}, 'y', 'fixtures');\nresolve(dir, '${UP(2)}y');\n`,
      'scripts/demo.sh': 'cd "$(dirname "$0")/.."\n',
      'node_modules/z/index.js': `require('${UP(4)}${REFERENCE}')\n`,
    });
    const { status, output } = check(root);
    expect(output).toContain('no file refers to a path outside');
    expect(status).toBe(0);
  });
});
