import { toAppError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { PasswordVault } from '../../ports/password-vault/password-vault.port.js';
import type { CallOptions } from '../../ports/signal.js';
import { BoundedPool } from '../shared/bounded-pool.js';

export interface RotatePasswordKeyDeps {
  readonly identityProvider: IdentityProvider;
  /** The vault of the new key: every managed password is re-set from it. */
  readonly passwordVault: PasswordVault;
  readonly logger?: Logger;
}

export interface RotatePasswordKeyInput {
  /** Password writes at once (default 4). */
  readonly concurrency?: number;
  /** Called after each user with the counts so far. */
  readonly onProgress?: (progress: RotationProgress) => void;
}

export interface RotationProgress {
  /** Managed users whose password was re-set from the new key (and whose sessions were ended). */
  readonly rotated: number;
  /** Managed users already on the new key (an earlier, interrupted pass) or holding no password. */
  readonly skipped: number;
  readonly failed: readonly { readonly userId: string; readonly code: string }[];
}

/**
 * Moves every managed user's password to a new key: the answer to a leaked volume (the old key
 * derives every user's password). For each managed user holding a password set under another key:
 * the password is re-set from the new key and the user's sessions are ended, so no refresh token
 * issued under the old password survives. Users already on the new key are skipped, so a pass that
 * was interrupted is resumed by running it again; users without a password (never issued a token)
 * have nothing to rotate. Per-user failures are reported, not thrown.
 */
export class RotatePasswordKey {
  constructor(private readonly deps: RotatePasswordKeyDeps) {}

  async execute(input: RotatePasswordKeyInput = {}, opts: CallOptions = {}): Promise<RotationProgress> {
    const { identityProvider, passwordVault } = this.deps;
    const logger = this.deps.logger ?? noopLogger;
    const pool = new BoundedPool(Math.max(1, input.concurrency ?? 4));
    let rotated = 0;
    let skipped = 0;
    const failed: { userId: string; code: string }[] = [];
    const report = () => input.onProgress?.({ rotated, skipped, failed });
    for await (const page of identityProvider.listManagedUsers(opts)) {
      for (const user of page) {
        opts.signal?.throwIfAborted();
        if (user.passwordKeyId === null || user.passwordKeyId === passwordVault.keyId) {
          skipped++;
          report();
          continue;
        }
        await pool.run(async () => {
          try {
            opts.signal?.throwIfAborted();
            const password = await passwordVault.passwordFor(identityProvider.realm, user.nextcloudId);
            await identityProvider.setPassword(user.id, password, passwordVault.keyId, opts);
            await identityProvider.revokeSessions(user.id, opts);
            rotated++;
          } catch (error) {
            const { code } = toAppError(error);
            // A cancelled pass is thrown after the pool drains; the user stays for the next pass.
            if (code !== 'CANCELLED' && !opts.signal?.aborted)
              failed.push({ userId: user.nextcloudId, code });
          }
          report();
        });
      }
    }
    await pool.drain();
    opts.signal?.throwIfAborted();
    logger.info({ rotated, skipped, failed: failed.length }, 'password key rotation pass finished');
    return { rotated, skipped, failed };
  }
}
