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
  /**
   * Other clients this one calls with its users' access tokens: their ids join `aud` (the client's
   * own id always does, so a resource server that checks its audience accepts its own tokens).
   */
  readonly audiences?: readonly string[] | undefined;
  /** The client's own roles (in `resource_access.<clientId>.roles` of those who hold them). */
  readonly roles?: readonly string[] | undefined;
  /**
   * Where Keycloak posts an OIDC back-channel logout token when one of this client's users' sessions
   * ends (the admin API ending them on deprovisioning included). Absent: no back-channel logout.
   */
  readonly backchannelLogout?: BackchannelLogoutSpec | undefined;
  /**
   * Clients this (confidential) one may exchange its users' access tokens for (Standard Token
   * Exchange, RFC 8693): each becomes an optional scope `audience-<clientId>` of this client, so
   * the exchange asks for `scope=audience-<clientId>&audience=<clientId>`. Empty: no exchange.
   */
  readonly exchangeFor?: readonly string[] | undefined;
}

export interface BackchannelLogoutSpec {
  readonly url: string;
  /** The logout token carries the session id (`sid`), so the client ends that session only. */
  readonly sessionRequired: boolean;
  /** Logging the user out also revokes the client's offline tokens. */
  readonly revokeOfflineTokens: boolean;
}

/** The optional client scope that puts `audience` in a token exchanged for it. */
export const exchangeScopeFor = (audience: string): string => `audience-${audience}`;

/**
 * Roles a directory group gives its members: realm roles and client roles (client id → role
 * names). Held through the group, so they go when the membership goes.
 */
export interface GroupRolesSpec {
  readonly group: string;
  readonly realmRoles: readonly string[];
  readonly clientRoles: Readonly<Record<string, readonly string[]>>;
}

/**
 * Sign in with Nextcloud: an identity provider in the realm that brokers to this application's
 * authorization endpoints (behind Nextcloud's session), and the flows around it.
 */
export interface SignInSpec {
  /** The identity provider's alias: a path segment of its broker endpoint, e.g. `nextcloud`. */
  readonly alias: string;
  readonly displayName: string;
  /**
   * Whether the realm's browser flow sends every login there at once (Keycloak's own form then only
   * with `kc_idp_hint=` left empty); otherwise the form shows a "Nextcloud" button.
   */
  readonly defaultLogin: boolean;
  /** Where the broker goes; known to the running application only (absent: not reconciled). */
  readonly endpoints?: SignInEndpoints | undefined;
}

export interface SignInEndpoints {
  /** Through Nextcloud's proxy: a browser reaches it with its Nextcloud session. */
  readonly authorizationUrl: string;
  /** Direct, never through a proxy: Keycloak redeems the code and reads the user here. */
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
}

export interface RealmSpec {
  readonly realm: string;
  readonly displayName?: string | undefined;
  readonly clients: readonly ClientSpec[];
  readonly realmRoles: readonly string[];
  /** Realm roles every user of the realm holds (Keycloak's default roles of the realm). */
  readonly defaultRoles?: readonly string[] | undefined;
  /** Roles the members of a directory group hold (e.g. Nextcloud's `admin` → `commonground-admin`). */
  readonly groupRoles?: readonly GroupRolesSpec[] | undefined;
  /** Token claim names that carry the user's group names. */
  readonly groupClaims: readonly string[];
  readonly accessTokenLifespanSeconds?: number | undefined;
  readonly signIn?: SignInSpec | undefined;
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
