#!/usr/bin/env node
// Fails when a workspace package declares a runtime dependency its `src` never imports, or imports
// a package it does not declare. A declared package that is only a peer of another declared
// dependency (reflect-metadata for inversify's container) counts as used: npm would not install
// it otherwise. Usage: node scripts/check-dependencies.mjs [root]   (exit 0 clean, 1 with a list)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(m|c)?[jt]s$/.test(name) && !/\.test\.[jt]s$/.test(name) ? [path] : [];
  });
}

/** The package a specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importedPackages(files) {
  const found = new Set();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]/g;
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      if (!builtins.has(match[1])) found.add(packageOf(match[1]));
    }
  }
  return found;
}

function manifestOf(name, from) {
  const path = [join(from, 'node_modules', name), join(root, 'node_modules', name)]
    .map((dir) => join(dir, 'package.json'))
    .find((candidate) => existsSync(candidate));
  return path ? readJson(path) : undefined;
}

const requiredPeers = (pkg) =>
  Object.keys(pkg?.peerDependencies ?? {}).filter((peer) => !pkg.peerDependenciesMeta?.[peer]?.optional);

/**
 * The peers this package must provide for the dependencies it imports: their own required peers,
 * and those of their dependencies that they do not provide themselves (inversify's container asks
 * for reflect-metadata, and inversify does not depend on it).
 */
function peersToProvide(imported, from) {
  const peers = new Set();
  for (const name of imported) {
    const pkg = manifestOf(name, from);
    if (!pkg) continue;
    for (const peer of requiredPeers(pkg)) peers.add(peer);
    const provided = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }));
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      for (const peer of requiredPeers(manifestOf(dep, from))) if (!provided.has(peer)) peers.add(peer);
  }
  return peers;
}

const problems = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  if (!existsSync(join(dir, 'package.json'))) continue;
  const pkg = readJson(join(dir, 'package.json'));
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  const devOnly = new Set(Object.keys(pkg.devDependencies ?? {}));
  const imported = importedPackages(sourceFiles(join(dir, 'src')));
  imported.delete(pkg.name);
  const peers = peersToProvide(imported, dir);
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!imported.has(dep) && !peers.has(dep))
      problems.push(`${pkg.name}: declares "${dep}" but src never imports it`);
  }
  for (const dep of imported) {
    if (!declared.has(dep))
      problems.push(
        `${pkg.name}: src imports "${dep}" but package.json ${devOnly.has(dep) ? 'has it only as a devDependency' : 'does not declare it'}`,
      );
  }
}

if (problems.length > 0) {
  process.stderr.write(`dependency check failed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('dependency check: every declared dependency is used and every import is declared\n');
