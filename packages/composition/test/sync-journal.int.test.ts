// The sync journal against the real Keycloak: Keycloak's own HTTP request metrics (its management
// port) count the user reads of each pass, so "an unchanged pass reads no user" is measured by
// Keycloak, not by our code. The journal is the server's file on a volume.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Secret, noopLogger, type CheapSyncPass, type SyncAllUsers } from '@keycloak-exapp/core';
import { CHEAP_SYNC_PASS } from '@keycloak-exapp/core/wiring';
import { InMemoryUserDirectory } from '@keycloak-exapp/core/testing';
import { loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import {
  FileSyncJournal,
  createExAppContainer,
  resolveUseCases,
  type ExAppUseCases,
} from '@keycloak-exapp/composition';
import type {} from '../../adapter-keycloak/test/keycloak.global-setup.js';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

const server = inject('keycloakServers')[0]!;
const realm = uniqueRealm('digest');
const directory = new InMemoryUserDirectory(
  Array.from({ length: 200 }, (_, i) => ({
    id: `person${i}`,
    displayName: `Person ${i}`,
    email: `person${i}@example.test`,
    enabled: true,
    groups: [`team${i % 4}`],
  })),
);
let storage: string;
let digestFile: string;
let graph: { useCases: ExAppUseCases; cheap: CheapSyncPass; syncAll: SyncAllUsers };

/** Keycloak's count of GET requests on a realm's users (list, search, one user, its groups). */
async function keycloakUserReads(): Promise<number> {
  const text = await (await fetch(`${server.managementUrl}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_server_requests_seconds_count{')) continue;
    if (!/method="GET"/.test(line) || !/uri="\/admin\/realms\/\{realm\}\/users[^"]*"/.test(line)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function compose() {
  const container = createExAppContainer({
    logger: noopLogger,
    passwordKey: new Secret('d'.repeat(40)),
    realmSpec: await loadRealmFile(undefined, { realm }),
    keycloak: {
      connection: {
        baseUrl: server.baseUrl,
        admin: {
          kind: 'client',
          clientId: server.adminClientId,
          clientSecret: new Secret(server.adminClientSecret),
        },
      },
      realm,
    },
    users: { directory: () => directory },
    syncJournal: () => new FileSyncJournal(digestFile, realm),
    token: { allowedClientIds: ['opentalk'] },
  });
  const useCases = await resolveUseCases(container);
  return { useCases, cheap: await container.getAsync(CHEAP_SYNC_PASS), syncAll: useCases.syncAllUsers };
}

beforeAll(async () => {
  storage = await mkdtemp(join(tmpdir(), 'digest-int-'));
  digestFile = join(storage, `sync-digest.${realm}.json`);
  await realmHarness(server, realm).port.reconcileRealm(await loadRealmFile(undefined, { realm }));
  graph = await compose();
}, 120_000);

afterAll(async () => {
  await realmHarness(server, realm).deleteRealm();
  await rm(storage, { recursive: true, force: true });
});

describe('the sync journal on a real Keycloak', () => {
  it('is written by the first (verifying) sync', async () => {
    expect(await graph.syncAll.execute()).toMatchObject({ pass: 'verify', created: 200, failed: [] });
    expect((await new FileSyncJournal(digestFile, realm).load())?.size).toBe(200);
  }, 120_000);

  it('makes an unchanged cheap pass and an unchanged full sync read no user from Keycloak (its own metrics)', async () => {
    const before = await keycloakUserReads();
    expect(await graph.cheap.execute()).toMatchObject({ pass: 'digest', created: 0, disabled: 0 });
    expect(await graph.syncAll.execute()).toMatchObject({ pass: 'digest', unchanged: 200 });
    expect(await keycloakUserReads()).toBe(before);
    // The counter moves when users are read: the check above can fail.
    await graph.useCases.identityProvider.findUserByNextcloudId('person1');
    expect(await keycloakUserReads()).toBeGreaterThan(before);
  }, 120_000);

  it('survives a restart, and is rebuilt from Keycloak when deleted', async () => {
    graph = await compose(); // a new process on the same volume
    expect(await graph.syncAll.execute()).toMatchObject({ pass: 'digest', unchanged: 200 });
    await rm(digestFile);
    graph = await compose();
    expect(await graph.syncAll.execute()).toMatchObject({ pass: 'verify', unchanged: 200 });
    expect((await new FileSyncJournal(digestFile, realm).load())?.size).toBe(200);
  }, 120_000);

  it('repairs on the verification pass a user edited and a user deleted directly in Keycloak', async () => {
    const admin = realmHarness(server, realm).http;
    const edited = (await graph.useCases.identityProvider.findUserByNextcloudId('person7'))!;
    const deleted = (await graph.useCases.identityProvider.findUserByNextcloudId('person8'))!;
    const rep = JSON.parse(
      (await admin.admin('GET', `admin/realms/${realm}/users/${edited.id}`, { what: 't' })).body,
    );
    await admin.admin('PUT', `admin/realms/${realm}/users/${edited.id}`, {
      json: { ...rep, firstName: 'Tampered', enabled: false },
      what: 't',
    });
    await admin.admin('DELETE', `admin/realms/${realm}/users/${deleted.id}`, { what: 't' });
    expect(await graph.syncAll.execute()).toMatchObject({ pass: 'digest', updated: 0, created: 0 });
    expect(await graph.syncAll.execute({ verify: true })).toMatchObject({
      pass: 'verify',
      updated: 1,
      created: 1,
      failed: [],
    });
    expect(await graph.useCases.identityProvider.findUserByNextcloudId('person7')).toMatchObject({
      firstName: 'Person',
      enabled: true,
    });
    expect(await graph.useCases.identityProvider.findUserByNextcloudId('person8')).toMatchObject({
      enabled: true,
    });
  }, 120_000);
});
