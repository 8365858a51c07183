import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeSyncJournalContract } from '@keycloak-exapp/core/testing';
import { FileSyncJournal } from '@keycloak-exapp/composition';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sync-digest-'));
  dirs.push(dir);
  return join(dir, 'sync-digest.commonground.json');
}

describeSyncJournalContract('FileSyncJournal', async () => {
  const path = await freshPath();
  return {
    store: new FileSyncJournal(path, 'commonground'),
    reopen: () => new FileSyncJournal(path, 'commonground'),
    corrupt: () => writeFile(path, '{"format":1,"realm":"commonground","users":{"alice":'),
    remove: () => rm(path, { force: true }),
  };
});

describe('FileSyncJournal', () => {
  it("does not trust another realm's file, and leaves no temporary file behind", async () => {
    const path = await freshPath();
    await new FileSyncJournal(path, 'commonground').save(new Map([['alice', 'x']]));
    expect(await new FileSyncJournal(path, 'other').load()).toBeUndefined();
    expect(await readdir(join(path, '..'))).toEqual(['sync-digest.commonground.json']);
  });
});

describe('FileSyncJournal at 50 000 users', () => {
  it('round-trips every entry line by line, and trusts no file with a line it cannot read', async () => {
    const path = await freshPath();
    const store = new FileSyncJournal(path, 'commonground');
    const entries = new Map<string, string>();
    for (let i = 0; i < 50_000; i++)
      entries.set(`user "${i}"\n`, i % 7 === 0 ? 'x' : `1${'A'.repeat(21)}${i % 10}`);
    await store.save(entries);
    expect(await new FileSyncJournal(path, 'commonground').load()).toEqual(entries);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"x"]', '"not a digest"]'));
    expect(await new FileSyncJournal(path, 'commonground').load()).toBeUndefined();
    await writeFile(path, text.slice(0, text.length - 10));
    expect(await new FileSyncJournal(path, 'commonground').load()).toBeUndefined();
  });
});
