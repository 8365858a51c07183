import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  DerivedPasswordVault,
  Secret,
  noopLogger,
  type Logger,
  type PasswordVault,
} from '@keycloak-exapp/core';

/**
 * The password vault of the secrets file on the volume, following it: when
 * `keycloak-exapp secret rotate-password-key` writes a new key there, the running server derives
 * passwords from the new key within `intervalMs` (and IssueToken drops every token cached under
 * the old one), so the rotation pass and the server never write two different passwords.
 */
export class SecretsFilePasswordVault implements PasswordVault {
  #vault: DerivedPasswordVault;
  #watching = false;

  private constructor(
    vault: DerivedPasswordVault,
    private readonly path: string,
    private readonly logger: Logger,
  ) {
    this.#vault = vault;
  }

  static async open(
    path: string,
    key: Secret,
    logger: Logger = noopLogger,
  ): Promise<SecretsFilePasswordVault> {
    return new SecretsFilePasswordVault(await DerivedPasswordVault.fromKey(key), path, logger);
  }

  get keyId(): string {
    return this.#vault.keyId;
  }

  passwordFor(realm: string, nextcloudId: string): Promise<Secret> {
    return this.#vault.passwordFor(realm, nextcloudId);
  }

  /** Starts following the file (polled every `intervalMs`; the process does not wait for it). */
  watch(intervalMs = 2_000): this {
    if (this.#watching) return this;
    this.#watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, () => void this.reload());
    return this;
  }

  close(): void {
    if (this.#watching) unwatchFile(this.path);
    this.#watching = false;
  }

  /** Reads the key again; a file that cannot be read keeps the current key (and says so). */
  async reload(): Promise<void> {
    try {
      const { passwordKey } = JSON.parse(await readFile(this.path, 'utf8')) as { passwordKey?: unknown };
      if (typeof passwordKey !== 'string') throw new Error('no passwordKey in the secrets file');
      const next = await DerivedPasswordVault.fromKey(new Secret(passwordKey));
      if (next.keyId === this.#vault.keyId) return;
      this.logger.warn(
        { from: this.#vault.keyId, to: next.keyId },
        'the password key changed on the volume; using the new key',
      );
      this.#vault = next;
    } catch (error) {
      this.logger.error(
        { err: (error as Error).message },
        'the secrets file could not be read again; the password key is unchanged',
      );
    }
  }
}
