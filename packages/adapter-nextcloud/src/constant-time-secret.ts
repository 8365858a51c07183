import { hash, timingSafeEqual } from 'node:crypto';
import type { Secret } from '@keycloak-exapp/core';

/**
 * A shared secret kept as its SHA-256 digest, compared with a presented value in constant time.
 * Digests have equal length, so a comparison takes the same time whatever either value's length.
 * Used for AppAPI's secret and for the token API's consumer secrets alike.
 */
export class ConstantTimeSecret {
  readonly #digest: Buffer;

  constructor(secret: Secret) {
    this.#digest = sha256(secret.reveal());
  }

  matches(presented: string): boolean {
    return this.matchesDigest(ConstantTimeSecret.digestOf(presented));
  }

  /** The presented value's digest, to compare with several secrets after hashing it once. */
  static digestOf(presented: string): Buffer {
    return sha256(presented);
  }

  /** Compares a `digestOf` result with this secret, in constant time. */
  matchesDigest(digest: Buffer): boolean {
    return timingSafeEqual(digest, this.#digest);
  }
}

function sha256(value: string): Buffer {
  // The one-shot form: no Hash object per request.
  return hash('sha256', value, 'buffer');
}
