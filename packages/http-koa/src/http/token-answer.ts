import type { TokenSet } from '@keycloak-exapp/core';

/** How a refresh token is refreshed (the answer's `refresh_with`); undefined leaves the field out. */
export type RefreshWith = 'client_id' | 'client_secret' | undefined;

interface AnswerParts {
  /** `{"access_token":…,"refresh_token":…,"id_token":…,"expires_in":` */
  readonly head: Buffer;
  /** `,"token_type":…,"refresh_expires_in":` */
  readonly middle: Buffer;
  /** `,"scope":…[,"refresh_with":…]}` */
  readonly tail: Buffer;
}

/**
 * `/api/token`'s answer as bytes. A cached token set is answered many times with only its two
 * remaining lifetimes changed, so its JSON is serialised once, around those two numbers, and kept
 * with the token set (weakly: it goes when the cache drops the set). The bytes are those
 * `JSON.stringify` gives for the answer object, field for field, in the same order.
 */
export class TokenAnswerBytes {
  readonly #parts = new WeakMap<TokenSet, AnswerParts>();

  render(tokens: TokenSet, expiresIn: number, refreshExpiresIn: number, refreshWith: RefreshWith): Buffer {
    let parts = this.#parts.get(tokens);
    if (!parts) {
      parts = serialise(tokens, refreshWith);
      this.#parts.set(tokens, parts);
    }
    return Buffer.concat([
      parts.head,
      Buffer.from(String(expiresIn), 'latin1'),
      parts.middle,
      Buffer.from(String(refreshExpiresIn), 'latin1'),
      parts.tail,
    ]);
  }
}

function serialise(tokens: TokenSet, refreshWith: RefreshWith): AnswerParts {
  const field = (name: string, value: unknown) => `${JSON.stringify(name)}:${JSON.stringify(value)}`;
  return {
    head: Buffer.from(
      `{${field('access_token', tokens.accessToken)},${field('refresh_token', tokens.refreshToken)},${field('id_token', tokens.idToken)},"expires_in":`,
    ),
    middle: Buffer.from(`,${field('token_type', tokens.tokenType)},"refresh_expires_in":`),
    tail: Buffer.from(
      `,${field('scope', tokens.scope)}${refreshWith ? `,${field('refresh_with', refreshWith)}` : ''}}`,
    ),
  };
}
