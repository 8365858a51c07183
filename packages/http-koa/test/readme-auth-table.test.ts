import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTH_MATRIX, UNTRUSTED, CALLERS, WAYS, authMatrixMarkdown } from './auth-matrix.data.js';

const README = readFileSync(join(resolve(import.meta.dirname, '../../..'), 'README.md'), 'utf8');

describe("the README's auth table", () => {
  it('is the table the e2e auth matrix asserts', () => {
    expect(README).toContain(authMatrixMarkdown());
  });

  it('gives no untrusted caller a 2xx on a privileged route, on any way in', () => {
    for (const row of AUTH_MATRIX.filter((r) => r.privileged))
      for (const way of WAYS)
        for (const caller of UNTRUSTED) {
          const status = row.expect[way][CALLERS.indexOf(caller)];
          expect(
            status !== null && status !== undefined && status >= 200 && status < 300,
            `${row.name} ${way} ${caller}`,
          ).toBe(false);
        }
  });
});
