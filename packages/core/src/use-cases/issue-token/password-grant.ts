import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { TokenGrantResult } from '../../domain/token.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { PasswordVault } from '../../ports/password-vault/password-vault.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { VerifiedAccount } from '../shared/access-cache.js';
import { SingleFlight } from '../shared/single-flight.js';

export interface PasswordGrantDeps {
  readonly identityProvider: IdentityProvider;
  readonly passwordVault: PasswordVault;
  readonly clock: Clock;
  readonly scope: string;
  readonly logger?: Logger | undefined;
}

/**
 * The password grant on the vault's password for a user, keeping the identity provider's password
 * aligned with the vault: set lazily (once, single-flight) when the account holds none from the
 * current key, and re-set once when the identity provider rejects it (changed by hand, or set
 * under an old key before a crash), the grant then retried once.
 */
export class PasswordGrant {
  readonly #writes = new SingleFlight<void>();

  constructor(private readonly deps: PasswordGrantDeps) {}

  /** A token set for the user and client, and when its grant was asked for. */
  async execute(
    userId: string,
    clientId: string,
    verified: VerifiedAccount,
    opts: CallOptions,
  ): Promise<{ readonly result: TokenGrantResult; readonly at: number }> {
    const { identityProvider, passwordVault, clock, scope } = this.deps;
    await this.#ensure(userId, verified, opts);
    const password = await passwordVault.passwordFor(identityProvider.realm, userId);
    const grant = { clientId, username: verified.account.username, password, scope };
    const started = clock.now();
    try {
      return { result: await identityProvider.passwordGrant(grant, opts), at: started };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'INVALID_CREDENTIALS') throw error;
      // Re-set once, unless a concurrent flight already did after this grant started.
      if (verified.lastPasswordResetAt < started) {
        await this.#writes.run(
          `reset\0${userId}`,
          (signal) => this.#set(userId, verified, { signal }, true),
          opts.signal,
        );
      }
      return { result: await identityProvider.passwordGrant(grant, opts), at: clock.now() };
    }
  }

  #ensure(userId: string, verified: VerifiedAccount, opts: CallOptions): Promise<void> {
    if (verified.passwordKeyId === this.deps.passwordVault.keyId) return Promise.resolve();
    return this.#writes.run(
      `set\0${userId}`,
      async (signal) => {
        if (verified.passwordKeyId === this.deps.passwordVault.keyId) return;
        await this.#set(userId, verified, { signal }, false);
      },
      opts.signal,
    );
  }

  async #set(userId: string, verified: VerifiedAccount, opts: CallOptions, isReset: boolean): Promise<void> {
    const { passwordVault, identityProvider } = this.deps;
    const password = await passwordVault.passwordFor(identityProvider.realm, userId);
    await identityProvider.setPassword(verified.account.id, password, passwordVault.keyId, opts);
    verified.passwordKeyId = passwordVault.keyId;
    if (isReset) verified.lastPasswordResetAt = this.deps.clock.now();
    (this.deps.logger ?? noopLogger).info({ userId, isReset }, 'password set from the vault');
  }
}
