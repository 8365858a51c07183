/** A token set as the identity provider issued it, with absolute expiry times (ms since epoch). */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly idToken: string | null;
  readonly tokenType: string;
  readonly scope: string | null;
  /** Seconds the access token was valid for when issued. */
  readonly expiresIn: number;
  readonly expiresAt: number;
  /** Absolute expiry of the refresh token; null when there is none or it does not expire. */
  readonly refreshExpiresAt: number | null;
}

/** The answer of an OAuth token endpoint, in our words. */
export interface TokenGrantResult {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly idToken: string | null;
  readonly tokenType: string;
  readonly scope: string | null;
  readonly expiresIn: number;
  /** 0 means "does not expire" (Keycloak's offline tokens). */
  readonly refreshExpiresIn: number | null;
}

export function toTokenSet(result: TokenGrantResult, issuedAt: number): TokenSet {
  return {
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    idToken: result.idToken,
    tokenType: result.tokenType,
    scope: result.scope,
    expiresIn: result.expiresIn,
    expiresAt: issuedAt + result.expiresIn * 1000,
    refreshExpiresAt:
      result.refreshToken === null || result.refreshExpiresIn === null || result.refreshExpiresIn === 0
        ? null
        : issuedAt + result.refreshExpiresIn * 1000,
  };
}
