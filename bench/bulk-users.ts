// Per-user creation (our adapter, bounded concurrency) against Keycloak's partial import, on the
// real server, side by side in one run. Prints a table and writes bench/results/<date>-bulk-users.json.
// Run: npx tsx bench/bulk-users.ts [users=1000]
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { NEXTCLOUD_ID_ATTRIBUTE, toManagedUserSpec } from '@keycloak-exapp/core';
import { contractRealmSpec } from '@keycloak-exapp/core/testing';
import { startKeycloakServer, realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

const count = Number(process.argv[2] ?? 1000);
const users = (prefix: string) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      toManagedUserSpec({
        id: `${prefix}${i}`,
        displayName: `User ${i}`,
        email: `${prefix}${i}@example.test`,
        enabled: true,
        groups: [],
      }),
    ),
  );

const server = await startKeycloakServer('dev-file');
const rows: { variant: string; users: number; seconds: number; usersPerSecond: number }[] = [];
try {
  for (const concurrency of [1, 4, 8]) {
    const realm = uniqueRealm(`bulk-c${concurrency}`);
    const h = realmHarness(server.info, realm);
    await h.port.reconcileRealm(contractRealmSpec(realm));
    const limit = pLimit(concurrency);
    const started = performance.now();
    await Promise.all((await users('u')).map((spec) => limit(() => h.port.createUser(spec))));
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      variant: `per-user create, concurrency ${concurrency}`,
      users: count,
      seconds,
      usersPerSecond: count / seconds,
    });
    await h.deleteRealm();
  }
  for (const batch of [100, 500]) {
    const realm = uniqueRealm(`bulk-import${batch}`);
    const h = realmHarness(server.info, realm);
    await h.port.reconcileRealm(contractRealmSpec(realm));
    const specs = await users('p');
    const started = performance.now();
    for (let i = 0; i < specs.length; i += batch) {
      await h.http.admin('POST', `admin/realms/${realm}/partialImport`, {
        json: {
          ifResourceExists: 'SKIP',
          users: specs.slice(i, i + batch).map((s) => ({
            username: s.username,
            enabled: s.enabled,
            firstName: s.firstName,
            lastName: s.lastName,
            email: s.email,
            emailVerified: true,
            attributes: { [NEXTCLOUD_ID_ATTRIBUTE]: [s.nextcloudId] },
          })),
        },
        what: 'partial import',
      });
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      variant: `partial import, batches of ${batch}`,
      users: count,
      seconds,
      usersPerSecond: count / seconds,
    });
    await h.deleteRealm();
  }
} finally {
  await server.stop();
}
const base = rows[0]!.seconds;
console.log(`Keycloak ${server.info.version}, dev-file, ${count} users`);
console.log('variant'.padEnd(40), 'seconds'.padStart(9), 'users/s'.padStart(9), 'vs c=1'.padStart(8));
for (const r of rows)
  console.log(
    r.variant.padEnd(40),
    r.seconds.toFixed(2).padStart(9),
    r.usersPerSecond.toFixed(0).padStart(9),
    `${(base / r.seconds).toFixed(2)}×`.padStart(8),
  );
const out = join(import.meta.dirname, 'results', `${new Date().toISOString().slice(0, 10)}-bulk-users.json`);
await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), keycloak: server.info.version, users: count, rows }, null, 2)}\n`,
);
console.log(`written ${out}`);
