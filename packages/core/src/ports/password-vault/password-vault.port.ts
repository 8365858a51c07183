import type { Secret } from '../../domain/secret.js';

/**
 * Source of the per-user password the ExApp sets in the identity provider and uses for the
 * password grant. `keyId` changes when the underlying key changes; users whose password was set
 * under another key get theirs re-set once, lazily.
 */
export interface PasswordVault {
  readonly keyId: string;
  passwordFor(realm: string, nextcloudId: string): Promise<Secret>;
}
