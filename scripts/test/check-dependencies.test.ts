import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CHECK = join(import.meta.dirname, '..', 'check-dependencies.mjs');
const REPO = join(import.meta.dirname, '..', '..');

function check(root: string) {
  const run = spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('check-dependencies: every package uses what it declares and declares what it uses', () => {
  const trees: string[] = [];
  afterEach(() => {
    for (const t of trees.splice(0)) rmSync(t, { recursive: true, force: true });
  });

  function tree(files: Record<string, unknown>): string {
    const root = mkdtempSync(join(tmpdir(), 'deps-'));
    trees.push(root);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return root;
  }

  it('passes on this repository', () => {
    const { status, output } = check(REPO);
    expect(output).toContain('every declared dependency is used');
    expect(status).toBe(0);
  });

  it('fails on a declared dependency nothing imports, and on an import nothing declares', () => {
    const root = tree({
      'packages/cli/package.json': {
        name: '@x/cli',
        dependencies: { inversify: '^8', commander: '^14' },
        devDependencies: { zod: '^4' },
      },
      'packages/cli/src/main.ts': "import { Command } from 'commander';\nimport { z } from 'zod';\n",
    });
    const { status, output } = check(root);
    expect(status).toBe(1);
    expect(output).toContain('@x/cli: declares "inversify" but src never imports it');
    expect(output).toContain('@x/cli: src imports "zod" but package.json has it only as a devDependency');
    expect(output).not.toContain('commander');
  });

  it("accepts a peer that an imported dependency's own dependency needs (reflect-metadata for inversify)", () => {
    const root = tree({
      'node_modules/inversify/package.json': { name: 'inversify', dependencies: { '@i/container': '1' } },
      'node_modules/@i/container/package.json': {
        name: '@i/container',
        peerDependencies: { 'reflect-metadata': '~0.2' },
      },
      'packages/server/package.json': {
        name: '@x/server',
        dependencies: { inversify: '^8', 'reflect-metadata': '~0.2' },
      },
      'packages/server/src/root.ts': "import { Container } from 'inversify';\n",
    });
    expect(check(root).status).toBe(0);
  });
});
