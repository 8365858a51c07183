import type { Secret } from './secret.js';

/** An OIDC client the realm must contain, in our words (validated from the declarative realm file). */
export interface ClientSpec {
  readonly clientId: string;
  readonly name?: string | undefined;
  /** Public clients have no secret (browser apps, OpenTalk's frontend). */
  readonly publicClient: boolean;
  readonly standardFlow: boolean;
  readonly directAccessGrants: boolean;
  readonly serviceAccount: boolean;
  readonly redirectUris: readonly string[];
  readonly webOrigins: readonly string[];
  readonly defaultScopes?: readonly string[] | undefined;
}

export interface RealmSpec {
  readonly realm: string;
  readonly displayName?: string | undefined;
  readonly clients: readonly ClientSpec[];
  readonly realmRoles: readonly string[];
  /** Token claim names that carry the user's group names. */
  readonly groupClaims: readonly string[];
  readonly accessTokenLifespanSeconds?: number | undefined;
}

/** What a reconcile of the realm did; `drift` lists objects an admin changed that we left alone. */
export interface RealmReconcileReport {
  readonly realm: string;
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  readonly drift: readonly string[];
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly secret: Secret | null;
}
