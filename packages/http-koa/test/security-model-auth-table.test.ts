import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authMatrixMarkdown } from './auth-matrix.data.js';

const README = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'README.md'), 'utf8');

// The server's behaviour is asserted cell by cell against the real server in e2e/auth-matrix.ts
// (which also fails on any 2xx to an untrusted caller of a privileged route); this checks only
// that the README shows readers the same table.
describe("the README's auth table", () => {
  it('is, to the character, the table the e2e auth matrix asserts against the server', () => {
    expect(README).toContain(authMatrixMarkdown());
  });
});
