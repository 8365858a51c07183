import type { RealmReconcileReport, RealmSpec } from '../../domain/realm.js';
import type { Secret } from '../../domain/secret.js';
import type { TokenGrantResult } from '../../domain/token.js';
import type { IdpUser, ManagedIdpUser, ManagedUserSpec } from '../../domain/user.js';
import type { AppError } from '../../errors/app-error.js';
import type { CallOptions } from '../signal.js';

export interface PasswordGrantInput {
  readonly clientId: string;
  readonly username: string;
  readonly password: Secret;
  readonly scope?: string | undefined;
}

export type BulkCreateResult =
  | { readonly nextcloudId: string; readonly ok: true; readonly user: ManagedIdpUser }
  | { readonly nextcloudId: string; readonly ok: false; readonly error: AppError };

export interface RefreshGrantInput {
  readonly clientId: string;
  readonly refreshToken: string;
}

/**
 * The identity provider (Keycloak), bound to one realm. Every method throws only core errors:
 * NotFoundError for a missing user id, ConflictError for a username taken by another user,
 * UpstreamUnavailableError / UpstreamTimeoutError when the server cannot answer.
 */
export interface IdentityProvider {
  readonly realm: string;

  /** Creates what is missing, updates only what this project created; never deletes. */
  reconcileRealm(spec: RealmSpec, opts?: CallOptions): Promise<RealmReconcileReport>;

  findUserByNextcloudId(nextcloudId: string, opts?: CallOptions): Promise<ManagedIdpUser | undefined>;
  findUserByUsername(username: string, opts?: CallOptions): Promise<IdpUser | undefined>;
  /** All managed users (those with the `nextcloud_id` marker), in pages. */
  listManagedUsers(opts?: CallOptions & { pageSize?: number }): AsyncIterable<readonly ManagedIdpUser[]>;

  /**
   * Creates a managed user without a credential. A 409 resolves to the existing user when it is
   * ours for the same Nextcloud id; otherwise ConflictError.
   */
  createUser(spec: ManagedUserSpec, opts?: CallOptions): Promise<ManagedIdpUser>;
  /**
   * Creates many managed users at once where the server has a faster way than one call per user
   * (Keycloak: partial import). Same semantics per user as `createUser`; one result per spec, in
   * order. Optional: without it, callers create one by one.
   */
  createUsers?(specs: readonly ManagedUserSpec[], opts?: CallOptions): Promise<readonly BulkCreateResult[]>;
  /** Brings a managed user in line with `spec`; keeps attributes it does not own. */
  updateUser(id: string, spec: ManagedUserSpec, opts?: CallOptions): Promise<void>;
  setEnabled(id: string, enabled: boolean, opts?: CallOptions): Promise<void>;
  deleteUser(id: string, opts?: CallOptions): Promise<void>;
  /** Sets a permanent password and records which vault key it came from. */
  setPassword(id: string, password: Secret, keyId: string, opts?: CallOptions): Promise<void>;
  /**
   * Ends every session of the user; their refresh tokens stop working, and each client with a
   * back-channel logout URL is sent a logout token per session it was part of.
   */
  revokeSessions(id: string, opts?: CallOptions): Promise<void>;

  /** Resource-owner password grant. Wrong password → InvalidCredentialsError. */
  passwordGrant(input: PasswordGrantInput, opts?: CallOptions): Promise<TokenGrantResult>;
  /** Refresh grant. Expired or revoked → InvalidGrantError. */
  refreshGrant(input: RefreshGrantInput, opts?: CallOptions): Promise<TokenGrantResult>;
}
