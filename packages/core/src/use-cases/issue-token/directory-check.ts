import type { TokenConfig } from '../../config/core-config.schema.js';
import { differingFields, toManagedUserSpec } from '../../domain/user.js';
import { OverloadedError, UserDisabledError, UserNotFoundError } from '../../errors/errors.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache, VerifiedAccount } from '../shared/access-cache.js';
import { SingleFlight } from '../shared/single-flight.js';
import type { UserAccountWriter } from '../shared/user-account-writer.js';
import type { ProviderAvailability } from './provider-availability.js';
import type { RenewalAhead } from './renewal-ahead.js';

/**
 * Past this fraction of `directoryTtlMs`, a verification is still trusted but renewed in the
 * background, so a user who keeps asking never waits for the directory; past the whole TTL it is
 * not trusted, as before.
 */
export const VERIFY_AHEAD_FRACTION = 0.75;

export interface DirectoryCheckDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  readonly clock: Clock;
  readonly cache: AccessCache;
  /** Writes the account (create, update, deprovision) with its journal entry. */
  readonly writer: UserAccountWriter;
  readonly provider: ProviderAvailability;
  readonly renewal: RenewalAhead;
  readonly config: Pick<
    TokenConfig,
    'directoryTtlMs' | 'identityProviderRecheckMs' | 'maxConcurrentDirectoryChecks' | 'deprovisionPolicy'
  >;
}

/**
 * The token path's check of a user against the directory (trusted for `directoryTtlMs`): unknown
 * → USER_NOT_FOUND, disabled → USER_DISABLED, and the managed account deprovisioned; an enabled
 * user is created or updated on demand. A check past `VERIFY_AHEAD_FRACTION` of its TTL is
 * renewed in the background; concurrent callers for one user share one check, and at most
 * `maxConcurrentDirectoryChecks` distinct users are checked at once (OVERLOADED beyond).
 */
export class DirectoryCheck {
  readonly #flight = new SingleFlight<VerifiedAccount>();

  constructor(private readonly deps: DirectoryCheckDeps) {}

  /**
   * The user's verification while it is trusted (younger than the TTL), renewed in the background
   * past `VERIFY_AHEAD_FRACTION` of it; undefined when the directory must be asked first.
   */
  trusted(userId: string): VerifiedAccount | undefined {
    const { cache, clock, config } = this.deps;
    const entry = cache.getVerified(userId);
    if (!entry) return undefined;
    const age = clock.now() - entry.verifiedAt;
    const ttl = config.directoryTtlMs;
    if (age >= ttl) return undefined;
    if (age >= ttl * VERIFY_AHEAD_FRACTION)
      this.deps.renewal.start(this.#flight, userId, (signal) => this.#check(userId, { signal }));
    return entry;
  }

  /** The user's verified account, and whether this request had to wait for the directory. */
  async verify(userId: string, opts: CallOptions): Promise<{ verified: VerifiedAccount; waited: boolean }> {
    const trusted = this.trusted(userId);
    if (trusted) return { verified: trusted, waited: false };
    const { config } = this.deps;
    if (!this.#flight.has(userId) && this.#flight.size >= config.maxConcurrentDirectoryChecks)
      throw new OverloadedError('too many directory checks of distinct users at once; try again shortly');
    const verified = await this.#flight.run(userId, (signal) => this.#check(userId, { signal }), opts.signal);
    return { verified, waited: true };
  }

  async #check(userId: string, opts: CallOptions): Promise<VerifiedAccount> {
    const { identityProvider, userDirectory, cache, provider, config } = this.deps;
    const directoryUser = await userDirectory.getUser(userId, opts);
    if (!directoryUser || !directoryUser.enabled) {
      cache.forgetUser(userId);
      // Refused either way; with the provider down, the next pass deprovisions the account.
      if (!provider.isUp())
        throw directoryUser ? new UserDisabledError(userId) : new UserNotFoundError(userId);
      const current = await identityProvider.findUserByNextcloudId(userId, opts);
      if (current && !directoryUser && config.deprovisionPolicy === 'delete') {
        await this.deps.writer.deprovision(current, 'delete', opts);
      } else if (current?.enabled) {
        await this.deps.writer.deprovision(current, 'disable', opts);
      }
      throw directoryUser ? new UserDisabledError(userId) : new UserNotFoundError(userId);
    }
    const spec = await toManagedUserSpec(directoryUser);
    const now = this.deps.clock.now();
    const previous = cache.getVerified(userId);
    if (
      previous &&
      (now - previous.identityProviderReadAt < config.identityProviderRecheckMs || !provider.isUp()) &&
      differingFields(spec, previous.account).length === 0
    ) {
      // Nextcloud says nothing changed and the account was read recently (or the provider is down
      // and cannot be read): a renewal that costs one directory call, not a Keycloak search too.
      const renewed: VerifiedAccount = { ...previous, verifiedAt: now };
      cache.setVerified(userId, renewed);
      return renewed;
    }
    provider.assertUp();
    const account = await this.deps.writer.ensureAccount(
      spec,
      await identityProvider.findUserByNextcloudId(userId, opts),
      opts,
    );
    const verified: VerifiedAccount = {
      account,
      verifiedAt: now,
      identityProviderReadAt: now,
      passwordKeyId: account.passwordKeyId,
      lastPasswordResetAt: previous?.lastPasswordResetAt ?? 0,
    };
    cache.setVerified(userId, verified);
    return verified;
  }
}
