import { Secret } from '../../domain/secret.js';
import type { PasswordVault } from './password-vault.port.js';

function randomString(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The original ExApp's behaviour: a random password per user, kept in memory and lost on restart
 * (each process gets a fresh `keyId`, so every user's password is re-set once after a restart).
 */
export class InMemoryPasswordVault implements PasswordVault {
  readonly keyId = `memory-${randomString(8)}`;
  readonly #passwords = new Map<string, Secret>();

  passwordFor(realm: string, nextcloudId: string): Promise<Secret> {
    const key = `${realm}\0${nextcloudId}`;
    let password = this.#passwords.get(key);
    if (!password) {
      password = new Secret(randomString(24));
      this.#passwords.set(key, password);
    }
    return Promise.resolve(password);
  }
}
