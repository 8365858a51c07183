import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import type { SyncJournal } from '@keycloak-exapp/core';

/**
 * Bumped whenever what a digest covers or how the file is laid out changes: an older file is then
 * rebuilt, not trusted. 2: JSON Lines (format 1 was one JSON object).
 */
const FORMAT = 2;
const headerSchema = z.object({ format: z.literal(FORMAT), realm: z.string() }).strict();
const DIGEST = /^(?:[01][A-Za-z0-9_-]{22}|x)$/;

const journalLineSchema = z.tuple([z.string(), z.string().nullable()]);

/**
 * The sync journal on the persistent volume (`sync-digest.<realm>.json`, the name volumes already
 * carry), one file per realm in JSON Lines: a header
 * (`{"format":2,"realm":…}`), then one `["<nextcloud id>","<digest>"]` per user, about 40 bytes
 * each. It is read and written line by line, so neither holds the file, or a second copy of the
 * digest, in memory at 50 000 users. Written to a temporary file and renamed over the old one, so
 * a crash leaves one whole version; a file that is missing, has any line it cannot read, is of
 * another format or another realm loads as nothing, which makes the next pass verify against
 * Keycloak and write a new one.
 *
 * Changes between passes are appended to `<file>.journal` (one JSON line each). `load` renames
 * the journal aside and applies every set aside so far; `save` removes only those, so a change
 * recorded while a pass runs is kept for the next one. A torn last line is skipped.
 */
export class FileSyncJournal implements SyncJournal {
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
    const input = createReadStream(this.path, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    const users = new Map<string, string>();
    let header = true;
    try {
      for await (const line of lines) {
        if (header) {
          const parsed = headerSchema.safeParse(JSON.parse(line));
          if (!parsed.success || parsed.data.realm !== this.realm) return undefined;
          header = false;
          continue;
        }
        const entry: unknown = JSON.parse(line);
        if (!Array.isArray(entry) || entry.length !== 2) return undefined;
        const [id, digest] = entry as unknown[];
        if (typeof id !== 'string' || typeof digest !== 'string' || !DIGEST.test(digest)) return undefined;
        users.set(id, digest);
      }
    } catch {
      return undefined; // missing, unreadable, or a line that is not JSON
    } finally {
      lines.close();
      input.destroy();
    }
    return header ? undefined : users;
  }

  async save(entries: ReadonlyMap<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const out = createWriteStream(temporary, { mode: 0o600 });
      const done = finished(out);
      done.catch(() => undefined); // awaited below; a write error also ends a wait for 'drain'
      const write = (chunk: string): Promise<void> | undefined =>
        out.write(chunk)
          ? undefined
          : new Promise((resolve, reject) => {
              out.once('drain', resolve);
              done.catch(reject);
            });
      await write(`${JSON.stringify({ format: FORMAT, realm: this.realm })}\n`);
      let chunk = '';
      for (const entry of entries) {
        chunk += `${JSON.stringify(entry)}\n`;
        if (chunk.length < 64 * 1024) continue;
        await write(chunk);
        chunk = '';
      }
      out.end(chunk);
      await done;
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    for (const journal of this.#applied) await rm(journal, { force: true });
    this.#applied = [];
  }
}
