import type { TokenSet } from '../../domain/token.js';
import type { ManagedIdpUser } from '../../domain/user.js';

export interface VerifiedAccount {
  readonly account: ManagedIdpUser;
  readonly verifiedAt: number;
  /** The vault key the identity provider's password was set with (updated after a set). */
  passwordKeyId: string | null;
  /** When we last re-set the password because the grant rejected it. */
  lastPasswordResetAt: number;
}

/**
 * What the token use case remembers per user: the last directory verification and the token sets
 * per client. Shared with the sync use cases so that a user they disable, delete or change loses
 * cached access at once.
 */
export class AccessCache {
  readonly #verified = new Map<string, VerifiedAccount>();
  readonly #tokens = new Map<string, Map<string, TokenSet>>();

  getVerified(userId: string): VerifiedAccount | undefined {
    return this.#verified.get(userId);
  }

  setVerified(userId: string, entry: VerifiedAccount): void {
    this.#verified.set(userId, entry);
  }

  getTokens(userId: string, clientId: string): TokenSet | undefined {
    return this.#tokens.get(userId)?.get(clientId);
  }

  setTokens(userId: string, clientId: string, tokens: TokenSet): void {
    let perClient = this.#tokens.get(userId);
    if (!perClient) {
      perClient = new Map();
      this.#tokens.set(userId, perClient);
    }
    perClient.set(clientId, tokens);
  }

  dropTokens(userId: string, clientId?: string): void {
    if (clientId === undefined) this.#tokens.delete(userId);
    else this.#tokens.get(userId)?.delete(clientId);
  }

  /** Forgets everything about a user: the next token request re-checks the directory. */
  forgetUser(userId: string): void {
    this.#verified.delete(userId);
    this.#tokens.delete(userId);
  }

  get cachedTokenCount(): number {
    let n = 0;
    for (const perClient of this.#tokens.values()) n += perClient.size;
    return n;
  }
}
