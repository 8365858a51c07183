import {
  tokenConfigSchema,
  type TokenConfig,
  type TokenConfigInput,
} from '../../config/core-config.schema.js';
import { toTokenSet, type TokenSet } from '../../domain/token.js';
import {
  differingFields,
  toManagedUserSpec,
  type ManagedIdpUser,
  type ManagedUserSpec,
} from '../../domain/user.js';
import { AppError } from '../../errors/app-error.js';
import {
  toAppError,
  ClientNotAllowedError,
  InvalidInputError,
  NotReadyError,
  OverloadedError,
  UserDisabledError,
  UserNotFoundError,
} from '../../errors/errors.js';
import type { ProcessSupervisor } from '../../ports/process-supervisor/process-supervisor.port.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { PasswordVault } from '../../ports/password-vault/password-vault.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import { AccessCache, type VerifiedAccount } from '../shared/access-cache.js';
import { SingleFlight } from '../shared/single-flight.js';
import { UserProvisioner } from '../shared/user-provisioner.js';
import type { SyncDigestStore } from '../../ports/sync-digest-store/sync-digest-store.port.js';
import { digestOfSpec } from '../../domain/sync-digest.js';
import { issueTokenInputSchema, type IssueTokenInput } from './issue-token.input.js';

export type TokenSource = 'cache' | 'refresh' | 'password';

export interface IssuedToken {
  readonly tokens: TokenSet;
  /** Seconds the access token has left now (not when it was issued). */
  readonly expiresIn: number;
  readonly source: TokenSource;
  /** Whether this request waited for the directory (no verification young enough to trust). */
  readonly waitedForDirectory: boolean;
}

/** A token answer before it is known whether its request waited for the directory. */
type TokenAnswer = Omit<IssuedToken, 'waitedForDirectory'>;

/**
 * Past this fraction of `directoryTtlMs`, a verification is still trusted but renewed in the
 * background, so a user who keeps asking never waits for the directory; past the whole TTL it is
 * not trusted, as before.
 */
export const VERIFY_AHEAD_FRACTION = 0.75;

export interface IssueTokenDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  readonly passwordVault: PasswordVault;
  readonly clock: Clock;
  readonly config: TokenConfigInput;
  readonly accessCache?: AccessCache;
  /** Where just-in-time creates, updates and deprovisioning are recorded for the next full pass. */
  readonly digestStore?: SyncDigestStore | undefined;
  /**
   * The identity provider's process when this application runs it: while it is not `ready`
   * (restarting after a crash, say), nothing is asked of it. Cached tokens of users whose
   * directory check holds are still served; what needs the identity provider gets NOT_READY.
   */
  readonly supervisor?: ProcessSupervisor | undefined;
  readonly logger?: Logger;
}

/**
 * Gets identity-provider tokens for a directory user, server-side.
 *
 * 1. The client id must be on the allow-list.
 * 2. The user is checked against the directory (trusted for `directoryTtlMs`): unknown → USER_NOT_FOUND,
 *    disabled → USER_DISABLED; either way the managed identity-provider user is deprovisioned and
 *    cached tokens are dropped. An enabled user is created or updated on demand. When the directory
 *    cannot be reached, only a verification younger than the TTL is trusted (fail closed after).
 * 3. A cached token with more than `refreshMarginMs` left is served; else the refresh grant; else
 *    the password grant with the vault's password, set lazily (once, single-flight) when the
 *    identity provider holds none from the current key. A rejected password is re-set once and
 *    the grant retried once.
 * While the supervised identity provider is down, cached tokens are served as long as the user's
 *    directory check holds (a check that finds the profile unchanged keeps the account read before);
 *    a user the directory refuses is refused as always; anything needing the provider is NOT_READY.
 * 4. Ahead of time: a verification past `VERIFY_AHEAD_FRACTION` of its TTL, and a cached token
 *    within twice `refreshMarginMs` of expiry, are served and renewed in the background (one
 *    renewal per user, or per user and client, at a time), so steady traffic does not wait for
 *    the directory or for Keycloak. Nothing is trusted longer than before.
 * Concurrent callers for the same user share one verification and one password write; for the
 * same (user, client) they share one grant.
 */
export class IssueToken {
  readonly #config: TokenConfig;
  readonly #allowed: ReadonlySet<string>;
  readonly #cache: AccessCache;
  readonly #provisioner: UserProvisioner;
  readonly #verifyFlight = new SingleFlight<VerifiedAccount>();
  readonly #passwordFlight = new SingleFlight<void>();
  readonly #grantFlight = new SingleFlight<TokenAnswer>();
  /** The vault key the cached tokens were obtained under; another key drops them all. */
  #tokensKeyId: string;
  /** Keys (user, or user and client) whose last renewal ahead of expiry failed, and when. */
  readonly #aheadFailedAt = new Map<string, number>();

  constructor(private readonly deps: IssueTokenDeps) {
    this.#config = tokenConfigSchema.parse(deps.config);
    this.#allowed = new Set(this.#config.allowedClientIds);
    this.#cache =
      deps.accessCache ??
      new AccessCache({ clock: deps.clock, maxTokenSets: this.#config.maxCachedTokenSets });
    this.#provisioner = new UserProvisioner(deps.identityProvider, this.#cache, deps.digestStore);
    this.#tokensKeyId = deps.passwordVault.keyId;
  }

  get accessCache(): AccessCache {
    return this.#cache;
  }

  isClientAllowed(clientId: string): boolean {
    return this.#allowed.has(clientId);
  }

  async execute(input: IssueTokenInput, opts: CallOptions = {}): Promise<IssuedToken> {
    const parsed = issueTokenInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { userId, clientId } = parsed.data;
    if (!this.#allowed.has(clientId)) throw new ClientNotAllowedError(clientId);
    opts.signal?.throwIfAborted();
    if (this.deps.passwordVault.keyId !== this.#tokensKeyId) {
      // The password key was rotated (a leaked volume): no token obtained under the old one is served.
      this.#tokensKeyId = this.deps.passwordVault.keyId;
      this.#cache.dropAllTokens();
    }

    const { verified, waited } = await this.#verify(userId, opts);
    const fresh = this.#freshToken(userId, clientId, verified);
    if (fresh) return { ...fresh, waitedForDirectory: waited };
    this.#assertProviderUp();
    try {
      return { ...(await this.#obtain(userId, clientId, verified, opts)), waitedForDirectory: waited };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      // The account was deleted in the identity provider behind our back (and forgotten by
      // `#renew`): check again, which re-creates it, and try once more.
      const again = await this.#verify(userId, opts);
      return { ...(await this.#obtain(userId, clientId, again.verified, opts)), waitedForDirectory: true };
    }
  }

  #obtain(
    userId: string,
    clientId: string,
    verified: VerifiedAccount,
    opts: CallOptions,
  ): Promise<TokenAnswer> {
    return this.#grantFlight.run(
      this.#grantKey(userId, clientId),
      async (signal) =>
        this.#freshToken(userId, clientId) ?? this.#renew(userId, clientId, verified, { signal }),
      opts.signal,
    );
  }

  #grantKey(userId: string, clientId: string): string {
    return `${userId}\0${clientId}`;
  }

  /**
   * The cached token when it has more than the margin left. `renewAheadWith`: when it is within
   * twice the margin of expiry, a refresh starts in the background for the next caller.
   */
  #freshToken(userId: string, clientId: string, renewAheadWith?: VerifiedAccount): TokenAnswer | undefined {
    if (!this.#config.isTokenCacheEnabled) return undefined;
    const cached = this.#cache.getTokens(userId, clientId);
    const now = this.deps.clock.now();
    const left = cached ? cached.expiresAt - now : 0;
    if (!cached || left <= this.#config.refreshMarginMs) return undefined;
    const key = this.#grantKey(userId, clientId);
    if (renewAheadWith && left <= 2 * this.#config.refreshMarginMs) {
      this.#renewAhead(this.#grantFlight, key, (signal) =>
        this.#renew(userId, clientId, renewAheadWith, { signal }),
      );
    }
    return { tokens: cached, expiresIn: Math.floor(left / 1000), source: 'cache' };
  }

  async #verify(userId: string, opts: CallOptions): Promise<{ verified: VerifiedAccount; waited: boolean }> {
    const entry = this.#cache.getVerified(userId);
    const age = entry ? this.deps.clock.now() - entry.verifiedAt : Infinity;
    const ttl = this.#config.directoryTtlMs;
    if (entry && age < ttl) {
      if (age >= ttl * VERIFY_AHEAD_FRACTION) {
        this.#renewAhead(this.#verifyFlight, userId, (signal) => this.#verifyNow(userId, { signal }));
      }
      return { verified: entry, waited: false };
    }
    if (
      !this.#verifyFlight.has(userId) &&
      this.#verifyFlight.size >= this.#config.maxConcurrentDirectoryChecks
    )
      throw new OverloadedError('too many directory checks of distinct users at once; try again shortly');
    const verified = await this.#verifyFlight.run(
      userId,
      (signal) => this.#verifyNow(userId, { signal }),
      opts.signal,
    );
    return { verified, waited: true };
  }

  /**
   * Starts a renewal nobody waits for, unless one is running or the last one for this key failed
   * less than `refreshMarginMs` ago (an unreachable server is not asked on every request). A user
   * it finds disabled or gone has already been forgotten (the next request checks again and is
   * refused); any other failure leaves the current entry to expire as usual.
   */
  #renewAhead<T>(flight: SingleFlight<T>, key: string, task: (signal: AbortSignal) => Promise<T>): void {
    if (flight.has(key)) return;
    const failedAt = this.#aheadFailedAt.get(key);
    if (failedAt !== undefined && this.deps.clock.now() - failedAt < this.#config.refreshMarginMs) return;
    flight.run(key, task).then(
      () => this.#aheadFailedAt.delete(key),
      (error: unknown) => {
        const { code } = toAppError(error);
        // A user found disabled or gone is forgotten (the next request checks in the foreground):
        // only an unreachable upstream is remembered, so this map does not keep departed users.
        if (code !== 'USER_DISABLED' && code !== 'USER_NOT_FOUND') this.#rememberAheadFailure(key);
        (this.deps.logger ?? noopLogger).debug({ code }, 'renewal ahead of expiry failed');
      },
    );
  }

  /** Throws NOT_READY while the supervised identity provider is not ready. */
  #assertProviderUp(): void {
    const state = this.deps.supervisor?.status().state;
    if (state !== undefined && state !== 'ready')
      throw new NotReadyError(`the identity provider is ${state}`);
  }

  #isProviderUp(): boolean {
    const state = this.deps.supervisor?.status().state;
    return state === undefined || state === 'ready';
  }

  /** Remembers a failed renewal ahead; past the bound, entries older than the margin go first. */
  #rememberAheadFailure(key: string): void {
    const now = this.deps.clock.now();
    this.#aheadFailedAt.delete(key);
    this.#aheadFailedAt.set(key, now);
    if (this.#aheadFailedAt.size <= this.#config.maxRememberedRenewalFailures) return;
    for (const [k, at] of this.#aheadFailedAt)
      if (now - at >= this.#config.refreshMarginMs) this.#aheadFailedAt.delete(k);
    // Still too many recent ones: forget the oldest (Map order is insertion order).
    for (const k of this.#aheadFailedAt.keys()) {
      if (this.#aheadFailedAt.size <= this.#config.maxRememberedRenewalFailures) break;
      this.#aheadFailedAt.delete(k);
    }
  }

  /** Renewal failures remembered now (bounded by `maxRememberedRenewalFailures`). */
  get rememberedRenewalFailures(): number {
    return this.#aheadFailedAt.size;
  }

  async #verifyNow(userId: string, opts: CallOptions): Promise<VerifiedAccount> {
    const { identityProvider, userDirectory } = this.deps;
    const directoryUser = await userDirectory.getUser(userId, opts);
    if (!directoryUser || !directoryUser.enabled) {
      this.#cache.forgetUser(userId);
      // Refused either way; with the provider down, the next pass deprovisions the account.
      if (!this.#isProviderUp())
        throw directoryUser ? new UserDisabledError(userId) : new UserNotFoundError(userId);
      const current = await identityProvider.findUserByNextcloudId(userId, opts);
      if (current && !directoryUser && this.#config.deprovisionPolicy === 'delete') {
        await this.#provisioner.deprovision(current, 'delete', opts);
      } else if (current?.enabled) {
        await this.#provisioner.deprovision(current, 'disable', opts);
      }
      throw directoryUser ? new UserDisabledError(userId) : new UserNotFoundError(userId);
    }
    const spec = await toManagedUserSpec(directoryUser);
    const now = this.deps.clock.now();
    const previous = this.#cache.getVerified(userId);
    if (
      previous &&
      (now - previous.identityProviderReadAt < this.#config.identityProviderRecheckMs ||
        !this.#isProviderUp()) &&
      differingFields(spec, previous.account).length === 0
    ) {
      // Nextcloud says nothing changed and the account was read recently (or the provider is down
      // and cannot be read): a renewal that costs one directory call, not a Keycloak search too.
      const renewed: VerifiedAccount = { ...previous, verifiedAt: now };
      this.#cache.setVerified(userId, renewed);
      return renewed;
    }
    this.#assertProviderUp();
    let account: ManagedIdpUser | undefined = await identityProvider.findUserByNextcloudId(userId, opts);
    if (!account) {
      account = await identityProvider.createUser(spec, opts);
      await this.#record(spec);
    } else if (differingFields(spec, account).length > 0) {
      await identityProvider.updateUser(account.id, spec, opts);
      account = { ...account, ...spec };
      this.#cache.dropTokens(userId); // claims changed: do not serve tokens with the old ones
      await this.#record(spec);
    }
    const verified: VerifiedAccount = {
      account,
      verifiedAt: now,
      identityProviderReadAt: now,
      passwordKeyId: account.passwordKeyId,
      lastPasswordResetAt: previous?.lastPasswordResetAt ?? 0,
    };
    this.#cache.setVerified(userId, verified);
    return verified;
  }

  /** Tells the next full pass what this just-in-time write made of the user. */
  async #record(spec: ManagedUserSpec): Promise<void> {
    await this.deps.digestStore?.record(new Map([[spec.nextcloudId, await digestOfSpec(spec)]]));
  }

  /** A new token for the user and client: the refresh grant while it works, else the password grant. */
  async #renew(
    userId: string,
    clientId: string,
    verified: VerifiedAccount,
    opts: CallOptions,
  ): Promise<TokenAnswer> {
    try {
      return await this.#grant(userId, clientId, verified, opts);
    } catch (error) {
      // The account is gone from the identity provider (deleted there by hand): forget it, so the
      // next request reads it again and creates it, instead of reusing the old account.
      if (error instanceof AppError && error.code === 'NOT_FOUND') this.#cache.forgetUser(userId);
      throw error;
    }
  }

  async #grant(
    userId: string,
    clientId: string,
    verified: VerifiedAccount,
    opts: CallOptions,
  ): Promise<TokenAnswer> {
    const cached = this.#config.isTokenCacheEnabled ? this.#cache.getTokens(userId, clientId) : undefined;
    const now = this.deps.clock.now();
    if (
      cached?.refreshToken &&
      (cached.refreshExpiresAt === null || cached.refreshExpiresAt - now > this.#config.refreshMarginMs)
    ) {
      try {
        const result = await this.deps.identityProvider.refreshGrant(
          { clientId, refreshToken: cached.refreshToken },
          opts,
        );
        return this.#store(userId, clientId, toTokenSet(result, now), 'refresh');
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'INVALID_GRANT') throw error;
        this.#cache.dropTokens(userId, clientId);
      }
    }

    await this.#ensurePassword(userId, verified, opts);
    const password = await this.deps.passwordVault.passwordFor(this.deps.identityProvider.realm, userId);
    const grant = { clientId, username: verified.account.username, password, scope: this.#config.scope };
    const grantStarted = this.deps.clock.now();
    try {
      const result = await this.deps.identityProvider.passwordGrant(grant, opts);
      return this.#store(userId, clientId, toTokenSet(result, grantStarted), 'password');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'INVALID_CREDENTIALS') throw error;
      // The identity provider holds another password (changed by hand, or set under an old key
      // before a crash): re-set it once, unless a concurrent flight already did after we started.
      if (verified.lastPasswordResetAt < grantStarted) {
        await this.#passwordFlight.run(
          `reset\0${userId}`,
          (signal) => this.#setPassword(userId, verified, { signal }, true),
          opts.signal,
        );
      }
      const result = await this.deps.identityProvider.passwordGrant(grant, opts);
      return this.#store(userId, clientId, toTokenSet(result, this.deps.clock.now()), 'password');
    }
  }

  #ensurePassword(userId: string, verified: VerifiedAccount, opts: CallOptions): Promise<void> {
    if (verified.passwordKeyId === this.deps.passwordVault.keyId) return Promise.resolve();
    return this.#passwordFlight.run(
      `set\0${userId}`,
      async (signal) => {
        if (verified.passwordKeyId === this.deps.passwordVault.keyId) return;
        await this.#setPassword(userId, verified, { signal }, false);
      },
      opts.signal,
    );
  }

  async #setPassword(
    userId: string,
    verified: VerifiedAccount,
    opts: CallOptions,
    isReset: boolean,
  ): Promise<void> {
    const { passwordVault, identityProvider } = this.deps;
    const password = await passwordVault.passwordFor(identityProvider.realm, userId);
    await identityProvider.setPassword(verified.account.id, password, passwordVault.keyId, opts);
    verified.passwordKeyId = passwordVault.keyId;
    if (isReset) verified.lastPasswordResetAt = this.deps.clock.now();
    (this.deps.logger ?? noopLogger).info({ userId, isReset }, 'password set from the vault');
  }

  #store(userId: string, clientId: string, tokens: TokenSet, source: TokenSource): TokenAnswer {
    if (this.#config.isTokenCacheEnabled) this.#cache.setTokens(userId, clientId, tokens);
    return {
      tokens,
      expiresIn: Math.max(0, Math.floor((tokens.expiresAt - this.deps.clock.now()) / 1000)),
      source,
    };
  }
}
