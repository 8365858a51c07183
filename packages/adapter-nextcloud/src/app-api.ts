import type { Secret } from '@keycloak-exapp/core';
import { ConstantTimeSecret } from './constant-time-secret.js';

/** The identity an ExApp presents to Nextcloud (and Nextcloud to the ExApp). */
export interface AppApiIdentity {
  readonly appId: string;
  readonly appVersion: string;
  readonly secret: Secret;
  /** AppAPI's version as handed to us in AA_VERSION; Nextcloud does not read it, the manual wants it. */
  readonly aaVersion?: string | undefined;
}

/** The AppAPI header set (§2.1/§5): base64 `user:secret`, app id and a non-empty version. */
export function appApiHeaders(identity: AppApiIdentity, userId: string): Record<string, string> {
  return {
    'authorization-app-api': Buffer.from(`${userId}:${identity.secret.reveal()}`, 'utf8').toString('base64'),
    'ex-app-id': identity.appId,
    'ex-app-version': identity.appVersion.length > 0 ? identity.appVersion : '0.0.0',
    'aa-version': identity.aaVersion ?? '2.2.0',
  };
}

export type AppApiVerification =
  | {
      readonly ok: true;
      /** The Nextcloud user the call is made for; null for a system call. */ readonly userId: string | null;
    }
  | { readonly ok: false; readonly reason: string };

type HeaderValue = string | string[] | undefined;

/**
 * Verifies AppAPI requests that reach the ExApp (§2.2): the three headers present and non-empty,
 * `EX-APP-ID` equal to ours, the base64 text split on its first colon, the secret compared in
 * constant time. The only place this logic lives; everything else asks it.
 */
export class AppApiRequestVerifier {
  readonly #appId: string;
  readonly #secret: ConstantTimeSecret;

  constructor(appId: string, secret: Secret) {
    this.#appId = appId;
    this.#secret = new ConstantTimeSecret(secret);
  }

  /** Whether the request carries any AppAPI header (and so must be verified, not ignored). */
  static claimsAppApi(headers: Record<string, HeaderValue>): boolean {
    return headers['authorization-app-api'] !== undefined || headers['ex-app-id'] !== undefined;
  }

  verify(headers: Record<string, HeaderValue>): AppApiVerification {
    const auth = single(headers['authorization-app-api']);
    const appId = single(headers['ex-app-id']);
    const version = single(headers['ex-app-version']);
    if (!auth || !appId || !version) return { ok: false, reason: 'AppAPI headers missing' };
    if (appId !== this.#appId) return { ok: false, reason: 'EX-APP-ID does not match' };
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0)
      return { ok: false, reason: 'AUTHORIZATION-APP-API is not base64' };
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'AUTHORIZATION-APP-API has no user:secret' };
    const user = decoded.slice(0, colon);
    if (!this.#secret.matches(decoded.slice(colon + 1)))
      return { ok: false, reason: 'AppAPI secret does not match' };
    return { ok: true, userId: user.length > 0 ? user : null };
  }
}

function single(value: HeaderValue): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v !== undefined && v.length > 0 ? v : undefined;
}
