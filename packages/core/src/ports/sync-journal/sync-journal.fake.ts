import type { SyncJournal } from './sync-journal.port.js';

interface Storage {
  saved: Map<string, string> | undefined;
  journal: [string, string | null][];
}

/** A SyncJournal in memory; `reopen()` is a restart on the same storage. */
export class InMemorySyncJournal implements SyncJournal {
  #storage: Storage = { saved: undefined, journal: [] };
  /** How many journal entries the last `load` applied (a `save` drops those, and only those). */
  #applied = 0;
  saves = 0;

  load(): Promise<Map<string, string> | undefined> {
    const { saved, journal } = this.#storage;
    this.#applied = journal.length;
    if (!saved) return Promise.resolve(undefined);
    const entries = new Map(saved);
    for (const [id, digest] of journal) {
      if (digest === null) entries.delete(id);
      else entries.set(id, digest);
    }
    return Promise.resolve(entries);
  }

  save(entries: ReadonlyMap<string, string>): Promise<void> {
    this.#storage.saved = new Map(entries);
    this.#storage.journal.splice(0, this.#applied);
    this.#applied = 0;
    this.saves++;
    return Promise.resolve();
  }

  record(changes: ReadonlyMap<string, string | null>): Promise<void> {
    this.#storage.journal.push(...changes);
    return Promise.resolve();
  }

  /** The storage lost its content (deleted, or unreadable). */
  forget(): void {
    this.#storage.saved = undefined;
  }

  reopen(): InMemorySyncJournal {
    const again = new InMemorySyncJournal();
    again.#storage = this.#storage;
    return again;
  }
}
