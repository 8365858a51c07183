import type { TokenSet } from '../../domain/token.js';
import type { ManagedIdpUser } from '../../domain/user.js';
import { systemClock, type Clock } from '../../ports/clock/clock.port.js';
import { SecondChanceMap } from './second-chance-map.js';

export interface VerifiedAccount {
  readonly account: ManagedIdpUser;
  readonly verifiedAt: number;
  /** When the account was last read from the identity provider (a renewal may skip that read). */
  readonly identityProviderReadAt: number;
  /** The vault key the identity provider's password was set with (updated after a set). */
  passwordKeyId: string | null;
  /** When we last re-set the password because the grant rejected it. */
  lastPasswordResetAt: number;
}

export interface AccessCacheOptions {
  readonly clock?: Clock;
  /** Token sets kept at most (one per user and client); the least recently used go first. */
  readonly maxTokenSets?: number;
  /** Directory verifications kept at most; the least recently used go first. */
  readonly maxVerifiedUsers?: number;
}

export const DEFAULT_MAX_TOKEN_SETS = 10_000;

/**
 * What the token use case remembers per user: the last directory verification and the token sets
 * per client. Shared with the sync use cases so that a user they disable, delete or change loses
 * cached access at once.
 *
 * Bounded: a token set whose access and refresh tokens have both expired is dropped when it is
 * next read or when the cache is full, and beyond `maxTokenSets` (and `maxVerifiedUsers`) entries
 * not used recently are evicted (`SecondChanceMap`); an evicted user is simply verified (or
 * granted) again. A hit allocates nothing.
 */
export class AccessCache {
  readonly #verified = new SecondChanceMap<VerifiedAccount>();
  /** `user\0client` → token set. */
  readonly #tokens = new SecondChanceMap<TokenSet>();
  readonly #clientsOf = new Map<string, Set<string>>();
  readonly #clock: Clock;
  readonly #maxTokenSets: number;
  readonly #maxVerifiedUsers: number;

  constructor(options: AccessCacheOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxTokenSets = Math.max(1, options.maxTokenSets ?? DEFAULT_MAX_TOKEN_SETS);
    this.#maxVerifiedUsers = Math.max(1, options.maxVerifiedUsers ?? this.#maxTokenSets);
  }

  getVerified(userId: string): VerifiedAccount | undefined {
    return this.#verified.get(userId);
  }

  setVerified(userId: string, entry: VerifiedAccount): void {
    this.#verified.set(userId, entry);
    this.#verified.evictTo(this.#maxVerifiedUsers);
  }

  getTokens(userId: string, clientId: string): TokenSet | undefined {
    const key = tokenKey(userId, clientId);
    const tokens = this.#tokens.get(key);
    if (!tokens) return undefined;
    if (this.#isSpent(tokens)) {
      this.#deleteTokens(userId, clientId);
      return undefined;
    }
    return tokens;
  }

  setTokens(userId: string, clientId: string, tokens: TokenSet): void {
    this.#tokens.set(tokenKey(userId, clientId), tokens);
    let clients = this.#clientsOf.get(userId);
    if (!clients) {
      clients = new Set();
      this.#clientsOf.set(userId, clients);
    }
    clients.add(clientId);
    if (this.#tokens.size > this.#maxTokenSets) this.#evict();
  }

  dropTokens(userId: string, clientId?: string): void {
    if (clientId !== undefined) {
      this.#deleteTokens(userId, clientId);
      return;
    }
    for (const client of this.#clientsOf.get(userId) ?? []) this.#tokens.delete(tokenKey(userId, client));
    this.#clientsOf.delete(userId);
  }

  /** Drops every cached token set (a rotated password key: none obtained under the old one is served). */
  dropAllTokens(): void {
    this.#tokens.clear();
    this.#clientsOf.clear();
  }

  /** Forgets everything about a user: the next token request re-checks the directory. */
  forgetUser(userId: string): void {
    this.#verified.delete(userId);
    this.dropTokens(userId);
  }

  get cachedTokenCount(): number {
    return this.#tokens.size;
  }

  get verifiedUserCount(): number {
    return this.#verified.size;
  }

  /** Spent token sets first; then those not used recently until the bound holds. */
  #evict(): void {
    for (const [key, tokens] of this.#tokens.entries()) if (this.#isSpent(tokens)) this.#deleteKey(key);
    this.#tokens.evictTo(this.#maxTokenSets, (key) => this.#deleteKey(key));
  }

  /** Neither the access token nor a refresh token can serve another request. */
  #isSpent(tokens: TokenSet): boolean {
    const now = this.#clock.now();
    if (now < tokens.expiresAt) return false;
    if (tokens.refreshToken === null) return true;
    return tokens.refreshExpiresAt !== null && now >= tokens.refreshExpiresAt;
  }

  #deleteKey(key: string): void {
    const [userId = '', clientId = ''] = key.split('\0');
    this.#deleteTokens(userId, clientId);
  }

  #deleteTokens(userId: string, clientId: string): void {
    this.#tokens.delete(tokenKey(userId, clientId));
    const clients = this.#clientsOf.get(userId);
    clients?.delete(clientId);
    if (clients?.size === 0) this.#clientsOf.delete(userId);
  }
}

function tokenKey(userId: string, clientId: string): string {
  return `${userId}\0${clientId}`;
}
