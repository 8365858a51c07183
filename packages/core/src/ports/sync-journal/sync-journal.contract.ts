import { describe, expect, it } from 'vitest';
import type { SyncJournal } from './sync-journal.port.js';

export interface SyncJournalHarness {
  readonly store: SyncJournal;
  /** The same storage, opened again (a restart). */
  reopen(): SyncJournal;
  /** Damages the stored content (a torn or foreign file). */
  corrupt(): Promise<void>;
  /** Removes the stored content. */
  remove(): Promise<void>;
}

/** Registers the SyncJournal contract: every store must pass it. */
export function describeSyncJournalContract(name: string, setup: () => Promise<SyncJournalHarness>): void {
  describe(`SyncJournal contract · ${name}`, () => {
    const entries = new Map([
      ['alice', '1AAAAAAAAAAAAAAAAAAAAAA'],
      ['Zoë van der Berg', '0BBBBBBBBBBBBBBBBBBBBBB'],
      ['gone', 'x'],
    ]);

    it('has nothing to trust before the first save', async () => {
      const h = await setup();
      expect(await h.store.load()).toBeUndefined();
    });

    it('loads what it saved, in a restart too', async () => {
      const h = await setup();
      await h.store.save(entries);
      expect(await h.store.load()).toEqual(entries);
      expect(await h.reopen().load()).toEqual(entries);
    });

    it('replaces the whole set on each save', async () => {
      const h = await setup();
      await h.store.save(entries);
      await h.store.save(new Map([['bob', '1CCCCCCCCCCCCCCCCCCCCCC']]));
      expect(await h.reopen().load()).toEqual(new Map([['bob', '1CCCCCCCCCCCCCCCCCCCCCC']]));
    });

    it('applies the changes recorded since the last save, in a restart too', async () => {
      const h = await setup();
      await h.store.save(entries);
      await h.store.record(new Map([['bob', '1DDDDDDDDDDDDDDDDDDDDDD']]));
      await h.store.record(
        new Map<string, string | null>([
          ['alice', null],
          ['bob', 'x'],
        ]),
      );
      const expected = new Map([...entries, ['bob', 'x']]);
      expected.delete('alice');
      expect(await h.store.load()).toEqual(expected);
      expect(await h.reopen().load()).toEqual(expected);
    });

    it('keeps a change recorded during a pass, after that pass saved', async () => {
      const h = await setup();
      await h.store.save(entries);
      await h.store.record(new Map([['early', '1EEEEEEEEEEEEEEEEEEEEEE']]));
      const loaded = await h.store.load(); // a pass starts
      await h.reopen().record(new Map([['late', '1FFFFFFFFFFFFFFFFFFFFFF']])); // a token request meanwhile
      await h.store.save(loaded!); // the pass ends
      const after = await h.reopen().load();
      expect(after?.get('early')).toBe('1EEEEEEEEEEEEEEEEEEEEEE');
      expect(after?.get('late')).toBe('1FFFFFFFFFFFFFFFFFFFFFF');
    });

    it('trusts nothing when the content is damaged or gone (so the digest is rebuilt)', async () => {
      const h = await setup();
      await h.store.save(entries);
      await h.corrupt();
      expect(await h.reopen().load()).toBeUndefined();
      await h.store.save(entries);
      await h.remove();
      expect(await h.reopen().load()).toBeUndefined();
    });
  });
}
