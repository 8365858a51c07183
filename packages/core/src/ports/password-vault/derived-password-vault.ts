import { ConfigurationError } from '../../errors/errors.js';
import { Secret } from '../../domain/secret.js';
import { base64url, sha256Hex } from '../../domain/digest.js';
import type { PasswordVault } from './password-vault.port.js';

const MIN_KEY_LENGTH = 32;

/**
 * The default vault: password = base64url(HMAC-SHA-256(key, realm ‖ NUL ‖ nextcloudId)).
 * Every replica and every restart with the same key computes the same password, so nothing is
 * stored and nothing needs re-setting after a restart. A new key gives a new `keyId`, and the
 * token use case re-sets each user's password once, on that user's next token request.
 * Uses Web Crypto (global in Node ≥ 20), so the core imports no platform module.
 */
export class DerivedPasswordVault implements PasswordVault {
  readonly keyId: string;
  readonly #key: Awaited<ReturnType<typeof crypto.subtle.importKey>>;

  private constructor(keyId: string, key: Awaited<ReturnType<typeof crypto.subtle.importKey>>) {
    this.keyId = keyId;
    this.#key = key;
  }

  /** Rejects with CONFIGURATION when the key is shorter than 32 characters. */
  static async fromKey(key: Secret): Promise<DerivedPasswordVault> {
    const raw = key.reveal();
    if (raw.length < MIN_KEY_LENGTH) {
      throw new ConfigurationError(
        `the password derivation key must be at least ${MIN_KEY_LENGTH} characters`,
      );
    }
    // A hash of a high-entropy key identifies it without revealing it.
    const keyId = (await sha256Hex(`keycloak-exapp/password-key-id\0${raw}`)).slice(0, 16);
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(raw),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return new DerivedPasswordVault(keyId, hmacKey);
  }

  async passwordFor(realm: string, nextcloudId: string): Promise<Secret> {
    const mac = await crypto.subtle.sign(
      'HMAC',
      this.#key,
      new TextEncoder().encode(`${realm}\0${nextcloudId}`),
    );
    return new Secret(base64url(new Uint8Array(mac)));
  }
}
