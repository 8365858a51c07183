import type { ClientSpec, RealmReconcileReport, RealmSpec } from '../../domain/realm.js';
import type { TokenGrantResult } from '../../domain/token.js';
import { isValidKeycloakUsername } from '../../domain/username.js';
import {
  normalizeEmail,
  normalizeGroups,
  type IdpUser,
  type ManagedIdpUser,
  type ManagedUserSpec,
} from '../../domain/user.js';
import type { ErrorCode } from '../../errors/codes.js';
import {
  AccountDisabledError,
  ConfigurationError,
  ConflictError,
  InvalidCredentialsError,
  InvalidGrantError,
  InvalidInputError,
  NotFoundError,
  UpstreamUnavailableError,
} from '../../errors/errors.js';
import type { AppError } from '../../errors/app-error.js';
import type { CallOptions } from '../signal.js';
import type {
  BulkCreateResult,
  IdentityProvider,
  PasswordGrantInput,
  RefreshGrantInput,
} from './identity-provider.port.js';

interface StoredUser {
  id: string;
  username: string;
  nextcloudId: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  enabled: boolean;
  groups: string[];
  passwordKeyId: string | null;
  password: string | null;
}

interface Session {
  userId: string;
  clientId: string;
  alive: boolean;
}

export type IdentityProviderOperation =
  | 'createUser'
  | 'createUsers'
  | 'updateUser'
  | 'setEnabled'
  | 'deleteUser'
  | 'setPassword'
  | 'revokeSessions'
  | 'passwordGrant'
  | 'refreshGrant'
  | 'findUserByNextcloudId'
  | 'findUserByUsername'
  | 'listManagedUsers';

const WRITES: readonly IdentityProviderOperation[] = [
  'createUser',
  'updateUser',
  'setEnabled',
  'deleteUser',
  'setPassword',
  'revokeSessions',
];

const ERRORS: Partial<Record<ErrorCode, (msg: string) => AppError>> = {
  UPSTREAM_UNAVAILABLE: (m) => new UpstreamUnavailableError(m),
  INVALID_CREDENTIALS: (m) => new InvalidCredentialsError(m),
  INVALID_GRANT: (m) => new InvalidGrantError(m),
  CONFLICT: (m) => new ConflictError(m),
};

/**
 * An in-memory identity provider that behaves like Keycloak where the use cases depend on it:
 * usernames are lower-cased and validated, duplicates answer 409 (resolved to the existing user
 * when it is ours for the same Nextcloud id), passwords are checked, disabled users get no tokens,
 * refresh tokens die with their session. It passes the same contract suite as the real adapter.
 */
export class InMemoryIdentityProvider implements IdentityProvider {
  readonly #users = new Map<string, StoredUser>();
  readonly #sessions = new Map<string, Session>();
  readonly #clients = new Map<string, ClientSpec & { createdByUs: boolean }>();
  readonly #failures: { op: IdentityProviderOperation | '*'; error: AppError }[] = [];
  readonly #calls = new Map<IdentityProviderOperation, number>();
  #nextId = 1;
  #realmExists = false;
  /** Access-token lifetime in seconds, as the realm would set it. */
  accessTokenLifespan = 300;
  refreshTokenLifespan = 1800;

  constructor(readonly realm: string) {}

  // ---- inspection and fault injection (tests only) ----

  /** Makes the next call of `op` (or of any operation) fail with `code`. */
  failNext(code: ErrorCode, op: IdentityProviderOperation | '*' = '*'): void {
    const make = ERRORS[code] ?? ((m: string) => new UpstreamUnavailableError(m));
    this.#failures.push({ op, error: make(`injected ${code}`) });
  }

  calls(op: IdentityProviderOperation): number {
    return this.#calls.get(op) ?? 0;
  }

  get writeCount(): number {
    return WRITES.reduce((n, op) => n + this.calls(op), 0);
  }

  resetCounters(): void {
    this.#calls.clear();
  }

  activeSessionCount(userId?: string): number {
    let n = 0;
    for (const s of this.#sessions.values())
      if (s.alive && (userId === undefined || s.userId === userId)) n++;
    return n;
  }

  /** Adds a user an admin created by hand (no managed marker). */
  addUnmanagedUser(username: string, password?: string): IdpUser {
    const user: StoredUser = {
      id: this.#newId(),
      username: username.toLowerCase(),
      nextcloudId: null,
      firstName: null,
      lastName: null,
      email: null,
      enabled: true,
      groups: [],
      passwordKeyId: null,
      password: password ?? null,
    };
    this.#users.set(user.id, user);
    return toIdpUser(user);
  }

  /** Changes a stored password behind our back (as an admin in the console would). */
  overwritePassword(id: string, password: string): void {
    const user = this.#users.get(id);
    if (user) user.password = password;
  }

  // ---- the port ----

  async reconcileRealm(spec: RealmSpec, opts: CallOptions = {}): Promise<RealmReconcileReport> {
    await this.#enter(undefined, opts);
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    if (!this.#realmExists) {
      this.#realmExists = true;
      created.push(`realm:${spec.realm}`);
    } else unchanged.push(`realm:${spec.realm}`);
    for (const client of spec.clients) {
      const key = `client:${client.clientId}`;
      const existing = this.#clients.get(client.clientId);
      if (!existing) {
        this.#clients.set(client.clientId, { ...client, createdByUs: true });
        created.push(key);
      } else if (
        JSON.stringify({ ...existing, createdByUs: undefined }) !==
        JSON.stringify({ ...client, createdByUs: undefined })
      ) {
        this.#clients.set(client.clientId, { ...client, createdByUs: true });
        updated.push(key);
      } else unchanged.push(key);
    }
    return { realm: spec.realm, created, updated, unchanged, drift: [] };
  }

  async findUserByNextcloudId(
    nextcloudId: string,
    opts: CallOptions = {},
  ): Promise<ManagedIdpUser | undefined> {
    await this.#enter('findUserByNextcloudId', opts);
    for (const user of this.#users.values())
      if (user.nextcloudId === nextcloudId) return toIdpUser(user) as ManagedIdpUser;
    return undefined;
  }

  async findUserByUsername(username: string, opts: CallOptions = {}): Promise<IdpUser | undefined> {
    await this.#enter('findUserByUsername', opts);
    const user = this.#byUsername(username);
    return user ? toIdpUser(user) : undefined;
  }

  async *listManagedUsers(
    opts: CallOptions & { pageSize?: number } = {},
  ): AsyncIterable<readonly ManagedIdpUser[]> {
    const pageSize = opts.pageSize ?? 100;
    await this.#enter('listManagedUsers', opts);
    const managed = [...this.#users.values()]
      .filter((u) => u.nextcloudId !== null)
      .map((u) => toIdpUser(u) as ManagedIdpUser);
    for (let i = 0; i < managed.length; i += pageSize) {
      yield managed.slice(i, i + pageSize);
      opts.signal?.throwIfAborted();
    }
  }

  async createUser(spec: ManagedUserSpec, opts: CallOptions = {}): Promise<ManagedIdpUser> {
    await this.#enter('createUser', opts);
    const username = spec.username.toLowerCase();
    if (!isValidKeycloakUsername(username))
      throw new InvalidInputError(`invalid username "${spec.username}"`);
    const existing = this.#byUsername(username);
    if (existing) {
      if (existing.nextcloudId === spec.nextcloudId) return toIdpUser(existing) as ManagedIdpUser;
      throw new ConflictError(`username "${username}" is taken by a user this project does not manage`);
    }
    const user: StoredUser = {
      id: this.#newId(),
      username,
      nextcloudId: spec.nextcloudId,
      firstName: spec.firstName,
      lastName: spec.lastName,
      email: normalizeEmail(spec.email),
      enabled: spec.enabled,
      groups: normalizeGroups(spec.groups),
      passwordKeyId: null,
      password: null,
    };
    this.#users.set(user.id, user);
    return toIdpUser(user) as ManagedIdpUser;
  }

  async createUsers(
    specs: readonly ManagedUserSpec[],
    opts: CallOptions = {},
  ): Promise<readonly BulkCreateResult[]> {
    this.#calls.set('createUsers', this.calls('createUsers') + 1);
    const results: BulkCreateResult[] = [];
    for (const spec of specs) {
      try {
        results.push({ nextcloudId: spec.nextcloudId, ok: true, user: await this.createUser(spec, opts) });
      } catch (error) {
        results.push({ nextcloudId: spec.nextcloudId, ok: false, error: error as AppError });
      }
    }
    return results;
  }

  async updateUser(id: string, spec: ManagedUserSpec, opts: CallOptions = {}): Promise<void> {
    await this.#enter('updateUser', opts);
    const user = this.#get(id);
    const username = spec.username.toLowerCase();
    const other = this.#byUsername(username);
    if (other && other.id !== id) throw new ConflictError(`username "${username}" is taken`);
    Object.assign(user, {
      username,
      nextcloudId: spec.nextcloudId,
      firstName: spec.firstName,
      lastName: spec.lastName,
      email: normalizeEmail(spec.email),
      enabled: spec.enabled,
      groups: normalizeGroups(spec.groups),
    });
  }

  async setEnabled(id: string, enabled: boolean, opts: CallOptions = {}): Promise<void> {
    await this.#enter('setEnabled', opts);
    this.#get(id).enabled = enabled;
  }

  async deleteUser(id: string, opts: CallOptions = {}): Promise<void> {
    await this.#enter('deleteUser', opts);
    this.#get(id);
    this.#users.delete(id);
    for (const s of this.#sessions.values()) if (s.userId === id) s.alive = false;
  }

  async setPassword(
    id: string,
    password: { reveal(): string },
    keyId: string,
    opts: CallOptions = {},
  ): Promise<void> {
    await this.#enter('setPassword', opts);
    const user = this.#get(id);
    user.password = password.reveal();
    user.passwordKeyId = keyId;
  }

  async revokeSessions(id: string, opts: CallOptions = {}): Promise<void> {
    await this.#enter('revokeSessions', opts);
    this.#get(id);
    for (const s of this.#sessions.values()) if (s.userId === id) s.alive = false;
  }

  async passwordGrant(input: PasswordGrantInput, opts: CallOptions = {}): Promise<TokenGrantResult> {
    await this.#enter('passwordGrant', opts);
    this.#assertGrantClient(input.clientId);
    const user = this.#byUsername(input.username);
    if (!user || user.password === null || user.password !== input.password.reveal()) {
      throw new InvalidCredentialsError('Invalid user credentials');
    }
    if (!user.enabled) throw new AccountDisabledError('Account disabled');
    return this.#issue(user, input.clientId);
  }

  async refreshGrant(input: RefreshGrantInput, opts: CallOptions = {}): Promise<TokenGrantResult> {
    await this.#enter('refreshGrant', opts);
    this.#assertGrantClient(input.clientId);
    const session = this.#sessions.get(input.refreshToken);
    const user = session ? this.#users.get(session.userId) : undefined;
    if (!session?.alive || session.clientId !== input.clientId || !user)
      throw new InvalidGrantError('Invalid refresh token');
    if (!user.enabled) throw new InvalidGrantError('User disabled');
    session.alive = false;
    return this.#issue(user, input.clientId);
  }

  // ---- internals ----

  #issue(user: StoredUser, clientId: string): TokenGrantResult {
    const refreshToken = `fake-rt-${this.#newId()}`;
    this.#sessions.set(refreshToken, { userId: user.id, clientId, alive: true });
    return {
      accessToken: `fake-at-${user.id}-${this.#newId()}`,
      refreshToken,
      idToken: `fake-id-${user.id}-${this.#newId()}`,
      tokenType: 'Bearer',
      scope: 'openid profile email',
      expiresIn: this.accessTokenLifespan,
      refreshExpiresIn: this.refreshTokenLifespan,
    };
  }

  #assertGrantClient(clientId: string): void {
    const client = this.#clients.get(clientId);
    if (!client) throw new ConfigurationError(`client "${clientId}" does not exist in realm "${this.realm}"`);
    if (!client.directAccessGrants)
      throw new ConfigurationError(`client "${clientId}" does not allow direct access grants`);
  }

  async #enter(op: IdentityProviderOperation | undefined, opts: CallOptions): Promise<void> {
    opts.signal?.throwIfAborted();
    // Yield to the event loop like a network call would, so concurrent callers interleave.
    await new Promise((resolve) => setTimeout(resolve, 0));
    opts.signal?.throwIfAborted();
    if (op) this.#calls.set(op, this.calls(op) + 1);
    const index = this.#failures.findIndex((f) => f.op === '*' || f.op === op);
    if (index >= 0) {
      const [failure] = this.#failures.splice(index, 1);
      throw failure!.error;
    }
  }

  #byUsername(username: string): StoredUser | undefined {
    const wanted = username.toLowerCase();
    for (const user of this.#users.values()) if (user.username === wanted) return user;
    return undefined;
  }

  #get(id: string): StoredUser {
    const user = this.#users.get(id);
    if (!user) throw new NotFoundError(`user ${id} not found`);
    return user;
  }

  #newId(): string {
    return `u${String(this.#nextId++).padStart(8, '0')}`;
  }
}

function toIdpUser(user: StoredUser): IdpUser {
  return {
    id: user.id,
    username: user.username,
    nextcloudId: user.nextcloudId,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    enabled: user.enabled,
    groups: [...user.groups],
    passwordKeyId: user.passwordKeyId,
  };
}
