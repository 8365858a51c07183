import {
  clientIdSchema,
  userIdSchema,
  tokenConfigSchema,
  type TokenConfig,
  type TokenConfigInput,
} from '../../config/core-config.schema.js';
import { toTokenSet, type TokenSet } from '../../domain/token.js';
import type { ManagedIdpUser } from '../../domain/user.js';
import { AppError } from '../../errors/app-error.js';
import { ClientNotAllowedError, InvalidInputError } from '../../errors/errors.js';
import type { ProcessSupervisor } from '../../ports/process-supervisor/process-supervisor.port.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { Logger } from '../../ports/logger/logger.port.js';
import type { PasswordVault } from '../../ports/password-vault/password-vault.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import { AccessCache, type VerifiedAccount } from '../shared/access-cache.js';
import { SingleFlight } from '../shared/single-flight.js';
import { AcceptedValues } from '../shared/accepted-values.js';
import { UserAccountWriter } from '../shared/user-account-writer.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';
import { DirectoryCheck } from './directory-check.js';
import { issueTokenInputSchema, type IssueTokenInput } from './issue-token.input.js';
import { PasswordGrant } from './password-grant.js';
import { ProviderAvailability } from './provider-availability.js';
import { RenewalAhead } from './renewal-ahead.js';

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
 * The answer with whether its request waited. Written out field by field: V8 allocates an object
 * spread with a property added (`{ ...answer, waitedForDirectory }`) so that it outlives a minor
 * GC, and on the cached path that filled the old generation (a full GC every few thousand
 * requests; issue 29).
 */
function issued(answer: TokenAnswer, waitedForDirectory: boolean): IssuedToken {
  return { tokens: answer.tokens, expiresIn: answer.expiresIn, source: answer.source, waitedForDirectory };
}

export interface IssueTokenDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  readonly passwordVault: PasswordVault;
  readonly clock: Clock;
  readonly config: TokenConfigInput;
  readonly accessCache?: AccessCache;
  /** Where just-in-time creates, updates and deprovisioning are recorded for the next full pass. */
  readonly syncJournal?: SyncJournal | undefined;
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
  readonly #userIds = new AcceptedValues(userIdSchema);
  readonly #clientIds = new AcceptedValues(clientIdSchema);
  readonly #cache: AccessCache;
  readonly #provider: ProviderAvailability;
  readonly #renewal: RenewalAhead;
  readonly #directory: DirectoryCheck;
  readonly #passwordGrant: PasswordGrant;
  readonly #grantFlight = new SingleFlight<TokenAnswer>();
  /** The vault key the cached tokens were obtained under; another key drops them all. */
  #tokensKeyId: string;

  constructor(private readonly deps: IssueTokenDeps) {
    this.#config = tokenConfigSchema.parse(deps.config);
    this.#allowed = new Set(this.#config.allowedClientIds);
    this.#cache =
      deps.accessCache ??
      new AccessCache({ clock: deps.clock, maxTokenSets: this.#config.maxCachedTokenSets });
    this.#provider = new ProviderAvailability(deps.supervisor);
    this.#renewal = new RenewalAhead(
      deps.clock,
      this.#config.refreshMarginMs,
      this.#config.maxRememberedRenewalFailures,
      deps.logger,
    );
    this.#directory = new DirectoryCheck({
      identityProvider: deps.identityProvider,
      userDirectory: deps.userDirectory,
      clock: deps.clock,
      cache: this.#cache,
      writer: new UserAccountWriter({
        identityProvider: deps.identityProvider,
        userDirectory: deps.userDirectory,
        accessCache: this.#cache,
        journal: deps.syncJournal,
        policy: this.#config.deprovisionPolicy,
      }),
      provider: this.#provider,
      renewal: this.#renewal,
      config: this.#config,
    });
    this.#passwordGrant = new PasswordGrant({
      identityProvider: deps.identityProvider,
      passwordVault: deps.passwordVault,
      clock: deps.clock,
      scope: this.#config.scope,
      logger: deps.logger,
    });
    this.#tokensKeyId = deps.passwordVault.keyId;
  }

  get accessCache(): AccessCache {
    return this.#cache;
  }

  /** Renewal failures remembered now (bounded by `maxRememberedRenewalFailures`). */
  get rememberedRenewalFailures(): number {
    return this.#renewal.rememberedFailures;
  }

  isClientAllowed(clientId: string): boolean {
    return this.#allowed.has(clientId);
  }

  /**
   * The directory check of step 2 alone, for a sign-in through the browser: the user's managed
   * account (created or updated just in time) when the directory has them enabled; USER_NOT_FOUND
   * or USER_DISABLED (and deprovisioning) otherwise. Shares the token path's cache and limits.
   */
  async checkUser(userId: string, opts: CallOptions = {}): Promise<ManagedIdpUser> {
    const parsed = userIdSchema.safeParse(userId);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { verified } = await this.#directory.verify(parsed.data, opts);
    return verified.account;
  }

  /**
   * The answer from memory alone: a cached token with more than the margin left, for a user whose
   * directory check holds. Undefined when the answer needs the directory or the identity provider
   * (then `execute`). Checks the input and the allow-list as `execute` does, and starts the same
   * renewals ahead; what it answers, `execute` answers too. Synchronous, so that a server answers
   * the most common request without a promise in between.
   */
  cached(input: IssueTokenInput): IssuedToken | undefined {
    const { userId, clientId } = this.#parseInput(input);
    return this.#fromMemory(userId, clientId);
  }

  async execute(input: IssueTokenInput, opts: CallOptions = {}): Promise<IssuedToken> {
    const { userId, clientId } = this.#parseInput(input);
    const now = this.#fromMemory(userId, clientId);
    if (now) return now;
    const { verified, waited } = await this.#directory.verify(userId, opts);
    const fresh = this.#freshToken(userId, clientId, verified);
    if (fresh) return issued(fresh, waited);
    // Read only here: a cached answer costs nothing to give a caller who has gone, and a server
    // may make the signal on first use (http-koa does).
    opts.signal?.throwIfAborted();
    this.#provider.assertUp();
    try {
      return issued(await this.#obtain(userId, clientId, verified, opts), waited);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      // The account was deleted in the identity provider behind our back (and forgotten by
      // `#renew`): check again, which re-creates it, and try once more.
      const again = await this.#directory.verify(userId, opts);
      return issued(await this.#obtain(userId, clientId, again.verified, opts), true);
    }
  }

  #fromMemory(userId: string, clientId: string): IssuedToken | undefined {
    if (!this.#allowed.has(clientId)) throw new ClientNotAllowedError(clientId);
    this.#dropTokensOfAnOldKey();
    const verified = this.#directory.trusted(userId);
    const fresh = verified && this.#freshToken(userId, clientId, verified);
    return fresh && issued(fresh, false);
  }

  /** The password key was rotated (a leaked volume): no token obtained under the old one is served. */
  #dropTokensOfAnOldKey(): void {
    if (this.deps.passwordVault.keyId === this.#tokensKeyId) return;
    this.#tokensKeyId = this.deps.passwordVault.keyId;
    this.#cache.dropAllTokens();
  }

  /** The input, checked by its schema; ids seen and accepted before are not run through it again. */
  #parseInput(input: IssueTokenInput): { userId: string; clientId: string } {
    const { userId, clientId } = input;
    if (this.#userIds.accepts(userId) && this.#clientIds.accepts(clientId) && Object.keys(input).length === 2)
      return { userId, clientId };
    const parsed = issueTokenInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    return parsed.data;
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
    if (renewAheadWith && left <= 2 * this.#config.refreshMarginMs) {
      this.#renewal.start(this.#grantFlight, this.#grantKey(userId, clientId), (signal) =>
        this.#renew(userId, clientId, renewAheadWith, { signal }),
      );
    }
    return { tokens: cached, expiresIn: Math.floor(left / 1000), source: 'cache' };
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

    const { result, at } = await this.#passwordGrant.execute(userId, clientId, verified, opts);
    return this.#store(userId, clientId, toTokenSet(result, at), 'password');
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
