import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A file on the volume written when init completed once: its presence resumes everything on the next start. */
export class InitMarker {
  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  async write(at: Date): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, `${at.toISOString()}\n`);
  }
}
