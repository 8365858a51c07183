// /api/token's answer is serialised once per cached token set and only its two lifetimes are put in
// per request: the bytes must be exactly what JSON.stringify gives for the answer object, in the
// original ExApp's field order, whatever the tokens hold.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenSet } from '@keycloak-exapp/core';
import { TokenAnswerBytes, type RefreshWith } from '../src/http/token-answer.js';

function expected(tokens: TokenSet, expiresIn: number, refreshExpiresIn: number, refreshWith: RefreshWith) {
  return JSON.stringify({
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    id_token: tokens.idToken,
    expires_in: expiresIn,
    token_type: tokens.tokenType,
    refresh_expires_in: refreshExpiresIn,
    scope: tokens.scope,
    ...(refreshWith && { refresh_with: refreshWith }),
  });
}

const tokenSet = fc.record({
  accessToken: fc.string({ unit: 'binary' }),
  refreshToken: fc.option(fc.string({ unit: 'binary' })),
  idToken: fc.option(fc.string({ unit: 'binary' })),
  tokenType: fc.string(),
  scope: fc.option(fc.string({ unit: 'binary' })),
  expiresIn: fc.nat(),
  expiresAt: fc.nat(),
  refreshExpiresAt: fc.option(fc.nat()),
});
const refreshWith = fc.constantFrom<RefreshWith>(undefined, 'client_id', 'client_secret');

describe("the token answer's bytes", () => {
  it('are what JSON.stringify gives for the answer, for any tokens, lifetimes and refresh_with', () => {
    fc.assert(
      fc.property(tokenSet, fc.nat(), fc.nat(), refreshWith, (tokens, expiresIn, refreshIn, how) => {
        const bytes = new TokenAnswerBytes().render(tokens, expiresIn, refreshIn, how);
        expect(bytes.toString('utf8')).toBe(expected(tokens, expiresIn, refreshIn, how));
      }),
      { numRuns: 500 },
    );
  });

  it('change only the lifetimes between hits of one token set', () => {
    const answers = new TokenAnswerBytes();
    const tokens: TokenSet = {
      accessToken: 'eyJ.a"\\b',
      refreshToken: null,
      idToken: 'id',
      tokenType: 'Bearer',
      scope: 'openid ëmail',
      expiresIn: 300,
      expiresAt: 0,
      refreshExpiresAt: null,
    };
    const first = JSON.parse(answers.render(tokens, 300, 1800, 'client_secret').toString()) as object;
    const later = JSON.parse(answers.render(tokens, 12, 0, 'client_secret').toString()) as object;
    expect(later).toEqual({ ...first, expires_in: 12, refresh_expires_in: 0 });
  });
});
