#!/usr/bin/env node
// Fails when a source, test, script or config file refers to a path outside the repository root:
// `../shared` (the team's reference folder, which a clone does not have) or any relative path that
// climbs above the root from the file that names it. A clone of the project must need nothing
// beside it. Usage: node scripts/check-repo-paths.mjs [root]   (exit 0 clean, 1 with a list)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));

const CHECKED_EXTENSIONS = new Set([
  '.ts',
  '.mts',
  '.cts',
  '.js',
  '.mjs',
  '.cjs',
  '.sh',
  '.json',
  '.yml',
  '.yaml',
  '.xml',
  '.toml',
]);
const CHECKED_NAMES = new Set(['Dockerfile', 'run', '.dockerignore']);
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  '.git',
  '.turbo',
  '.keycloak',
  '.data',
  'test-artifacts',
]);
const SKIPPED_FILES = new Set(['package-lock.json']);

function filesUnder(dir) {
  if (existsSync(join(dir, '.git'))) {
    const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return out
      .split('\0')
      .filter(Boolean)
      .filter((f) => existsSync(join(dir, f)));
  }
  const found = [];
  const walk = (rel) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (statSync(join(dir, path)).isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(path);
      } else found.push(path);
    }
  };
  walk('');
  return found;
}

function isChecked(file) {
  const parts = file.split('/');
  if (parts.some((p) => SKIPPED_DIRS.has(p))) return false;
  const name = parts.at(-1);
  if (SKIPPED_FILES.has(name)) return false;
  return CHECKED_EXTENSIONS.has(extname(name)) || CHECKED_NAMES.has(name);
}

/** Relative climbs written as one string (dot-dot-slash repeated) or as separate dot-dot path segments. */
const SLASHED_CLIMB = /(?:\.\.[/\\])+(?:\.\.(?![\w.]))?/g;
const SEGMENT_CLIMB = /(?:['"`]\.\.['"`]\s*,\s*)+(?:['"`]\.\.['"`])?/g;
const REFERENCE_FOLDER = /(?:^|[^\w.-])(?:\.\.[/\\])*shared[/\\](?:fixtures|docs|hooks)\b/;

function violationsIn(file, text) {
  const found = [];
  const dir = dirname(join(root, file));
  text.split('\n').forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    if (REFERENCE_FOLDER.test(line)) found.push(`${where}: names the team's reference folder (shared/)`);
    for (const match of line.matchAll(SLASHED_CLIMB)) {
      const target = resolve(dir, match[0]);
      if (outside(target)) found.push(`${where}: '${match[0]}' climbs out of the repository`);
    }
    for (const match of line.matchAll(SEGMENT_CLIMB)) {
      const climbs = (match[0].match(/\.\./g) ?? []).length;
      const target = resolve(dir, ...Array(climbs).fill('..'));
      if (outside(target)) found.push(`${where}: ${climbs} '..' segments climb out of the repository`);
    }
  });
  return found;
}

function outside(target) {
  const rel = relative(root, target);
  return rel === '..' || rel.startsWith(`..${sep}`);
}

const violations = filesUnder(root)
  .filter(isChecked)
  .flatMap((file) => violationsIn(file, readFileSync(join(root, file), 'utf8')));

if (violations.length > 0) {
  console.error(`check-repo-paths: ${violations.length} reference(s) outside the repository root (${root}):`);
  for (const v of violations) console.error(`  ${v}`);
  console.error(
    'A clone of the project has nothing beside it: keep what the code and tests read inside the repository.',
  );
  process.exit(1);
}
console.log(`check-repo-paths: no file refers to a path outside ${root}`);
