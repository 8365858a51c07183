import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WAYS, authMatrixMarkdown } from './auth-matrix.data.js';

const SECURITY_MODEL = readFileSync(
  join(resolve(import.meta.dirname, '../../..'), 'docs', 'security-model.md'),
  'utf8',
);

// The server's behaviour is asserted cell by cell against the real server in e2e/auth-matrix.ts
// (which also fails on any 2xx to an untrusted caller of a privileged route); this checks only
// that the security model shows readers the same tables.
describe("the security model's auth tables", () => {
  it.each(WAYS)('show, to the character, what the e2e auth matrix asserts %s', (way) => {
    expect(SECURITY_MODEL).toContain(authMatrixMarkdown(way));
  });
});
