import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { SyncDigestStore } from '@keycloak-exapp/core';

/** Bumped whenever what a digest covers changes: an older file is then rebuilt, not trusted. */
const FORMAT = 1;
const fileSchema = z.object({
  format: z.literal(FORMAT),
  realm: z.string(),
  users: z.record(z.string(), z.string().regex(/^(?:[01][A-Za-z0-9_-]{22}|x)$/)),
});

const journalLineSchema = z.tuple([z.string(), z.string().nullable()]);

/**
 * The sync digest on the persistent volume, one JSON file per realm (about 40 bytes per user).
 * Written to a temporary file and renamed over the old one, so a crash leaves one whole version;
 * a file that is missing, unreadable, of another format or another realm loads as nothing, which
 * makes the next pass verify against Keycloak and write a new one.
 *
 * Changes between passes are appended to `<file>.journal` (one JSON line each). `load` renames
 * the journal aside and applies every set aside so far; `save` removes only those, so a change
 * recorded while a pass runs is kept for the next one. A torn last line is skipped.
 */
export class FileSyncDigestStore implements SyncDigestStore {
  /** The journals the last `load` applied: `save` removes them. */
  #applied: string[] = [];

  constructor(
    readonly path: string,
    private readonly realm: string,
  ) {}

  async load(): Promise<Map<string, string> | undefined> {
    const journals = await this.#takeJournals();
    this.#applied = journals;
    const base = await this.#loadBase();
    if (!base) return undefined;
    for (const journal of journals) {
      const text = await readFile(journal, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        if (!line) continue;
        let parsed;
        try {
          parsed = journalLineSchema.safeParse(JSON.parse(line));
        } catch {
          continue;
        }
        if (!parsed.success) continue;
        const [id, digest] = parsed.data;
        if (digest === null) base.delete(id);
        else base.set(id, digest);
      }
    }
    return base;
  }

  async record(changes: ReadonlyMap<string, string | null>): Promise<void> {
    if (changes.size === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const lines = [...changes].map((change) => `${JSON.stringify(change)}\n`).join('');
    await appendFile(`${this.path}.journal`, lines, { mode: 0o600 });
  }

  /** Sets the current journal aside (later records start a new one) and lists every set-aside one. */
  async #takeJournals(): Promise<string[]> {
    const dir = dirname(this.path);
    const stamp = `${Date.now().toString().padStart(15, '0')}-${randomBytes(3).toString('hex')}`;
    await rename(`${this.path}.journal`, `${this.path}.journal.${stamp}.applied`).catch(() => undefined);
    const prefix = `${basename(this.path)}.journal.`;
    const names = await readdir(dir).catch(() => [] as string[]);
    return names
      .filter((n) => n.startsWith(prefix) && n.endsWith('.applied'))
      .sort()
      .map((n) => join(dir, n));
  }

  async #loadBase(): Promise<Map<string, string> | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return undefined;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success || parsed.data.realm !== this.realm) return undefined;
    return new Map(Object.entries(parsed.data.users));
  }

  async save(entries: ReadonlyMap<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    const body = JSON.stringify({ format: FORMAT, realm: this.realm, users: Object.fromEntries(entries) });
    try {
      await writeFile(temporary, body, { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    for (const journal of this.#applied) await rm(journal, { force: true });
    this.#applied = [];
  }
}
