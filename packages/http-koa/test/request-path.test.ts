// The fast check of a request path must never accept what the full normal-form check refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLAINLY_NORMAL, assertNormalPath, normalPathOf } from '../src/http/request-path.js';

const piece = fc.constantFrom('/', '.', '..', 'a', 'Z9', '-_~', '%2e', '%2F', '%41', ';x', '\\', '//', '%');

describe('request paths normal at a glance', () => {
  it('are exactly their own normal form, for any path built of tricky pieces', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const path = `/${pieces.join('')}`;
        if (PLAINLY_NORMAL.test(path)) expect(normalPathOf(path)).toBe(path);
      }),
      { numRuns: 5000 },
    );
  });

  it('take the usual routes, and refuse dot segments, empty segments and escapes as before', () => {
    for (const path of [
      '/api/token',
      '/realms/commonground/protocol/openid-connect/token',
      '/heartbeat',
      '/a/',
    ])
      expect(PLAINLY_NORMAL.test(path)).toBe(true);
    for (const path of ['/api/../admin', '/api/./token', '//api', '/api//token', '/a;b', '/%61', '/.', '/..'])
      expect(() => assertNormalPath(path)).toThrow('not in its normal form');
  });
});
