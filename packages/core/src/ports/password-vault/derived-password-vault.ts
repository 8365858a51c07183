import { ConfigurationError } from '../../errors/errors.js';
import { Secret } from '../../domain/secret.js';
import { sha256Hex } from '../../domain/sha256.js';
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
  readonly #key: ReturnType<typeof crypto.subtle.importKey>;

  constructor(key: Secret) {
    const raw = key.reveal();
    if (raw.length < MIN_KEY_LENGTH) {
      throw new ConfigurationError(
        `the password derivation key must be at least ${MIN_KEY_LENGTH} characters`,
      );
    }
    // A hash of a high-entropy key identifies it without revealing it.
    this.keyId = sha256Hex(`keycloak-exapp/password-key-id\0${raw}`).slice(0, 16);
    this.#key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(raw),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
  }

  async passwordFor(realm: string, nextcloudId: string): Promise<Secret> {
    const mac = await crypto.subtle.sign(
      'HMAC',
      await this.#key,
      new TextEncoder().encode(`${realm}\0${nextcloudId}`),
    );
    return new Secret(base64url(new Uint8Array(mac)));
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += ALPHABET.charAt((n >> (18 - 6 * j)) & 63);
  }
  return out;
}
