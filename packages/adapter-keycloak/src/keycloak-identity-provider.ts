import pLimit, { type LimitFunction } from 'p-limit';
import {
  AccountDisabledError,
  CancelledError,
  AccountNotFullySetUpError,
  ConfigurationError,
  InvalidCredentialsError,
  InvalidGrantError,
  OverloadedError,
  SingleFlight,
  UpstreamError,
  UpstreamUnavailableError,
  usernameForNextcloudId,
  type BulkCreateResult,
  type CallOptions,
  type IdentityProvider,
  type IdpUser,
  type ManagedIdpUser,
  type ManagedUserSpec,
  type PasswordGrantInput,
  type RealmReconcileReport,
  type RealmSpec,
  type RefreshGrantInput,
  type Secret,
  type TokenGrantResult,
} from '@keycloak-exapp/core';
import { tokenResponseSchema } from './keycloak.dto.js';
import { keycloakErrorText } from './keycloak.errors.js';
import { parseJson, type KeycloakHttp } from './keycloak.http.js';
import { KeycloakRealm } from './keycloak-realm.js';
import { KeycloakUsers } from './keycloak-users.js';
import { ensureRuntimeAccount, type RuntimeAccount } from './runtime-account.js';

export interface KeycloakIdentityProviderOptions {
  /**
   * Token-endpoint calls in flight at once; the rest wait here, before their timeout starts. Each
   * password grant costs Keycloak a password hash: two hundred at once on two cores would each
   * take longer than the request timeout, eight at a time all finish.
   */
  readonly maxConcurrentGrants?: number;
  /**
   * Token-endpoint calls allowed to wait for a slot; beyond them a caller is refused at once
   * with OVERLOADED (503 + Retry-After) instead of joining a queue that only grows.
   */
  readonly maxQueuedGrants?: number;
  /**
   * Least privilege: the account the realm reconcile (install, upgrade) runs as, when `http` is a
   * runtime account that may not touch the realm or its clients. The reconcile then also makes
   * `runtimeAccount` and reads the secrets of the realm's confidential clients, so the running
   * server never reads one itself.
   */
  readonly setup?: { readonly http: KeycloakHttp; readonly runtimeAccount?: RuntimeAccount } | undefined;
}

/** The IdentityProvider port over Keycloak's admin REST API and token endpoint, for one realm. */
export class KeycloakIdentityProvider implements IdentityProvider {
  readonly #users: KeycloakUsers;
  readonly #realm: KeycloakRealm;
  readonly #clientSecrets = new Map<string, string | null>();
  readonly #clientSecretFlight = new SingleFlight<string | null>();
  readonly #grantSlots: LimitFunction;
  readonly #maxQueuedGrants: number;
  readonly #setup: KeycloakIdentityProviderOptions['setup'];
  /** The runtime account's secret once adopted from the realm (see ensureRuntimeAccount). */
  #runtimeSecret: Secret | undefined;

  constructor(
    private readonly http: KeycloakHttp,
    readonly realm: string,
    options: KeycloakIdentityProviderOptions = {},
  ) {
    this.#users = new KeycloakUsers(http, realm);
    this.#setup = options.setup;
    this.#realm = new KeycloakRealm(options.setup?.http ?? http, realm);
    this.#grantSlots = pLimit(options.maxConcurrentGrants ?? 8);
    this.#maxQueuedGrants = options.maxQueuedGrants ?? 256;
  }

  async reconcileRealm(spec: RealmSpec, opts: CallOptions = {}): Promise<RealmReconcileReport> {
    const report = await this.#realm.reconcile(spec, opts);
    const setup = this.#setup;
    // Without a setup account the secrets are read again on demand.
    if (!setup) this.#clientSecrets.clear();
    else {
      if (setup.runtimeAccount) {
        const known = this.#runtimeSecret ?? setup.runtimeAccount.secret;
        const { secret } = await ensureRuntimeAccount(
          setup.http,
          this.realm,
          { ...setup.runtimeAccount, secret: known },
          opts,
        );
        if (secret.reveal() !== known.reveal()) {
          // The realm holds the account's secret already: run as that one, and keep it.
          this.http.useClientSecret(secret);
          this.#runtimeSecret = secret;
          await setup.runtimeAccount.keep?.(secret);
        }
      }
      // With one, setup reads them (the running account may not), replacing them one by one so
      // that grants running meanwhile keep the secrets known so far.
      for (const { clientId } of spec.clients)
        this.#clientSecrets.set(clientId, await this.#readClientSecret(clientId, opts.signal));
    }
    return report;
  }

  async findUserByNextcloudId(
    nextcloudId: string,
    opts: CallOptions = {},
  ): Promise<ManagedIdpUser | undefined> {
    // The username is a function of the id, so an exact username lookup finds the only candidate.
    const user = await this.#users.findByUsername(await usernameForNextcloudId(nextcloudId), opts);
    return user?.nextcloudId === nextcloudId ? (user as ManagedIdpUser) : undefined;
  }

  findUserByUsername(username: string, opts: CallOptions = {}): Promise<IdpUser | undefined> {
    return this.#users.findByUsername(username, opts);
  }

  listManagedUsers(opts: CallOptions & { pageSize?: number } = {}): AsyncIterable<readonly ManagedIdpUser[]> {
    return this.#users.listManaged(opts.pageSize ?? 500, opts);
  }

  createUser(spec: ManagedUserSpec, opts: CallOptions = {}): Promise<ManagedIdpUser> {
    return this.#users.create(spec, opts);
  }

  createUsers(
    specs: readonly ManagedUserSpec[],
    opts: CallOptions = {},
  ): Promise<readonly BulkCreateResult[]> {
    return this.#users.createMany(specs, opts);
  }

  updateUser(id: string, spec: ManagedUserSpec, opts: CallOptions = {}): Promise<void> {
    return this.#users.update(id, spec, opts);
  }

  setEnabled(id: string, enabled: boolean, opts: CallOptions = {}): Promise<void> {
    return this.#users.setEnabled(id, enabled, opts);
  }

  deleteUser(id: string, opts: CallOptions = {}): Promise<void> {
    return this.#users.delete(id, opts);
  }

  setPassword(id: string, password: Secret, keyId: string, opts: CallOptions = {}): Promise<void> {
    return this.#users.setPassword(id, password, keyId, opts);
  }

  revokeSessions(id: string, opts: CallOptions = {}): Promise<void> {
    return this.#users.revokeSessions(id, opts);
  }

  async passwordGrant(input: PasswordGrantInput, opts: CallOptions = {}): Promise<TokenGrantResult> {
    return this.#grant(
      input.clientId,
      {
        grant_type: 'password',
        username: input.username,
        password: input.password.reveal(),
        scope: input.scope ?? 'openid',
      },
      'password grant',
      opts,
    );
  }

  async refreshGrant(input: RefreshGrantInput, opts: CallOptions = {}): Promise<TokenGrantResult> {
    return this.#grant(
      input.clientId,
      { grant_type: 'refresh_token', refresh_token: input.refreshToken },
      'refresh grant',
      opts,
    );
  }

  async #grant(
    clientId: string,
    form: Record<string, string>,
    what: string,
    opts: CallOptions,
  ): Promise<TokenGrantResult> {
    const secret = await this.#clientSecret(clientId, opts);
    if (this.#grantSlots.pendingCount >= this.#maxQueuedGrants) {
      throw new OverloadedError(
        `${what}: ${this.#grantSlots.pendingCount} token requests already wait for Keycloak`,
      );
    }
    const res = await this.#grantSlots(() => {
      if (opts.signal?.aborted) throw new CancelledError(`${what}: cancelled while waiting for Keycloak`);
      return this.http.raw('POST', `realms/${encodeURIComponent(this.realm)}/protocol/openid-connect/token`, {
        form: { ...form, client_id: clientId, ...(secret ? { client_secret: secret } : {}) },
        signal: opts.signal,
        what,
      });
    });
    if (res.statusCode === 200) {
      const body = parseJson(tokenResponseSchema, res.body, what);
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token ?? null,
        idToken: body.id_token ?? null,
        tokenType: body.token_type,
        scope: body.scope ?? null,
        expiresIn: body.expires_in,
        refreshExpiresIn: body.refresh_expires_in ?? null,
      };
    }
    throw grantError(res.statusCode, res.body, clientId, form.grant_type === 'password', what);
  }

  /**
   * The secret of a confidential client, null for public clients: read by the realm reconcile
   * when a setup account is configured (the running account may not read one), else read once
   * from Keycloak here.
   */
  async #clientSecret(clientId: string, opts: CallOptions): Promise<string | null> {
    if (this.#clientSecrets.has(clientId)) return this.#clientSecrets.get(clientId) ?? null;
    if (this.#setup)
      throw new ConfigurationError(
        `client "${clientId}" is not one of realm "${this.realm}"'s declared clients (or the realm was not reconciled yet)`,
      );
    return this.#clientSecretFlight.run(
      clientId,
      async (signal) => {
        const secret = await this.#readClientSecret(clientId, signal);
        this.#clientSecrets.set(clientId, secret);
        return secret;
      },
      opts.signal,
    );
  }

  /** A client's secret from Keycloak (null for a public client), with the realm's account. */
  async #readClientSecret(clientId: string, signal: AbortSignal | undefined): Promise<string | null> {
    const client = await this.#realm.findClient(clientId, { signal });
    if (!client) throw new ConfigurationError(`client "${clientId}" does not exist in realm "${this.realm}"`);
    return (client as { publicClient?: boolean }).publicClient
      ? null
      : ((await this.#realm.clientSecret(client.id, { signal })) ?? null);
  }

  /** Token-endpoint calls waiting for a slot now. */
  get queuedGrants(): number {
    return this.#grantSlots.pendingCount;
  }
}

function grantError(
  status: number,
  body: string,
  clientId: string,
  isPassword: boolean,
  what: string,
): Error {
  let error: string | undefined;
  try {
    error = (JSON.parse(body) as { error?: string }).error;
  } catch {
    error = undefined;
  }
  const description = keycloakErrorText(body) ?? '';
  if (status >= 500) return new UpstreamUnavailableError(`${what}: Keycloak answered ${status}`);
  if (error === 'invalid_client' || error === 'unauthorized_client' || error === 'invalid_scope') {
    return new ConfigurationError(`${what}: client "${clientId}" cannot use this grant (${description})`);
  }
  if (error === 'invalid_grant') {
    if (/disabled/i.test(description) && isPassword)
      return new AccountDisabledError(`${what}: ${description}`);
    if (/not fully set up/i.test(description))
      return new AccountNotFullySetUpError(`${what}: ${description}`);
    if (isPassword) return new InvalidCredentialsError(`${what}: ${description}`);
    return new InvalidGrantError(`${what}: ${description}`);
  }
  return new UpstreamError(`${what}: Keycloak answered ${status} (${description})`);
}
