// The release version lives in one place, the root package.json; everything that names it must
// agree: info.xml's <version> and <image-tag>, every package of the monorepo and its dependencies
// on its siblings, the compose file's image tags and the CHANGELOG's latest release.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// The repository to check (default: this one; the test hands it a copy with a disagreement).
const root = process.argv[2] ?? join(import.meta.dirname, '..');
const read = (path) => readFileSync(join(root, path), 'utf8');
const { version } = JSON.parse(read('package.json'));
const found = [];
const expect = (where, value) => found.push({ where, value });

const infoXml = read('appinfo/info.xml');
expect('appinfo/info.xml <version>', /<version>([^<]+)<\/version>/.exec(infoXml)?.[1]);
expect('appinfo/info.xml <image-tag>', /<image-tag>([^<]+)<\/image-tag>/.exec(infoXml)?.[1]);
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(read(`packages/${dir}/package.json`));
  expect(`packages/${dir}/package.json version`, pkg.version);
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
    if (name.startsWith('@keycloak-exapp/')) expect(`packages/${dir}/package.json → ${name}`, range);
}
for (const match of read('docker/compose.yml').matchAll(/image: \S*keycloak-exapp:([^\s}]+)/g))
  expect('docker/compose.yml image', match[1]);
expect('CHANGELOG.md latest release', /^## \[(\d[^\]]*)\]/m.exec(read('CHANGELOG.md'))?.[1]);

const wrong = found.filter((f) => f.value !== version);
if (wrong.length > 0) {
  for (const f of wrong)
    console.error(`check-version: ${f.where} is ${f.value ?? 'missing'}, package.json says ${version}`);
  process.exit(1);
}
console.log(`check-version: ${found.length} places name ${version}`);
