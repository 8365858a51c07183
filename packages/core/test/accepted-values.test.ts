// Remembering accepted ids must not change what is accepted: the schema decides, every time a
// value is new, and memory stays bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AcceptedValues, clientIdSchema, userIdSchema } from '@keycloak-exapp/core';

describe('accepted values', () => {
  it('accept exactly what the schema accepts, first time and again', () => {
    for (const schema of [userIdSchema, clientIdSchema]) {
      const accepted = new AcceptedValues(schema, 50, 16);
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.constantFrom('alice', ' ', '', 'a\u0000b', 'x'.repeat(300))),
          (value) => {
            const expected = schema.safeParse(value).success;
            expect(accepted.accepts(value)).toBe(expected);
            expect(accepted.accepts(value)).toBe(expected);
          },
        ),
        { numRuns: 2000 },
      );
    }
  });

  it('refuse what is not a string, and keep at most their bound', () => {
    const accepted = new AcceptedValues(userIdSchema, 3);
    expect(accepted.accepts(['alice'])).toBe(false);
    expect(accepted.accepts(undefined)).toBe(false);
    for (const id of ['a', 'b', 'c', 'd', 'e']) expect(accepted.accepts(id)).toBe(true);
    expect(accepted.accepts('a')).toBe(true);
  });
});
