import { NotFoundError, Secret, UpstreamError, type CallOptions } from '@keycloak-exapp/core';
import type { KeycloakHttp } from './keycloak.http.js';
import { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';
import { MANAGED_MARKER } from './managed-marker.js';
import { rolesOfOwnToken } from './token-roles.js';

/**
 * The roles an external Keycloak gives the ExApp's setup account: the realm-management roles of
 * one realm (master's client `<realm>-realm`), nothing in master and no other realm. They cover
 * the realm reconcile of install and upgrade: realm settings, the user profile and realm roles
 * (`manage-realm`), the consumer clients and their secrets (`manage-clients`), the runtime
 * account it makes in the realm and the roles it grants it (`manage-users`, `query-groups`), and
 * the lookups before each (`view-*`, `query-users`), and Sign in with Nextcloud's identity provider
 * and its mappers (`manage-identity-providers`: `manage-realm` does not cover them; its flows are
 * `manage-realm`'s). The running server acts as that runtime account (RUNTIME_REALM_ROLES), not as
 * this one.
 */
export const EXAPP_REALM_ROLES = [
  'view-realm',
  'manage-realm',
  'view-clients',
  'manage-clients',
  'view-users',
  'query-users',
  'query-groups',
  'manage-users',
  'view-identity-providers',
  'manage-identity-providers',
] as const;

/** Master's client that holds a realm's management roles. */
export const realmManagementClientId = (realm: string): string => `${realm}-realm`;

export interface ServiceAccountGrant {
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly realm: string;
  readonly roles: readonly string[];
  /** False when the client existed already (its secret is kept, its roles completed). */
  readonly created: boolean;
}

/**
 * Creates (or completes) a confidential client in master whose service account holds exactly
 * `EXAPP_REALM_ROLES` on `realm`, and returns its credentials. `http` must act as an administrator
 * of master (a one-time step: the ExApp never needs those credentials). The realm must exist.
 */
export async function grantServiceAccount(
  http: KeycloakHttp,
  opts: { readonly clientId: string; readonly realm: string } & CallOptions,
): Promise<ServiceAccountGrant> {
  const api = new KeycloakAdminApi(http);
  const master = 'master';
  const findClient = async (clientId: string) =>
    (await api.call('clients.find', { realm: master, query: { clientId, search: false } }, opts)).find(
      (c) => c.clientId === clientId,
    );

  const realmClient = await findClient(realmManagementClientId(opts.realm));
  if (!realmClient) throw new NotFoundError(`Keycloak has no realm "${opts.realm}" to grant roles on`);

  let client = await findClient(opts.clientId);
  const created = !client;
  if (!client) {
    await api.call(
      'clients.create',
      {
        realm: master,
        body: {
          clientId: opts.clientId,
          name: 'keycloak-exapp (Nextcloud ExApp)',
          description: `Manages realm ${opts.realm} for Nextcloud's keycloak-exapp`,
          protocol: 'openid-connect',
          publicClient: false,
          clientAuthenticatorType: 'client-secret',
          serviceAccountsEnabled: true,
          standardFlowEnabled: false,
          implicitFlowEnabled: false,
          directAccessGrantsEnabled: false,
          attributes: { [MANAGED_MARKER]: 'true' },
        },
      },
      opts,
    );
    client = await findClient(opts.clientId);
    if (!client) throw new NotFoundError(`client ${opts.clientId} vanished after it was created`);
  }
  const { value: secret } = await api.call('clients.secret', { realm: master, client: client.id }, opts);
  if (!secret) throw new UpstreamError(`client ${opts.clientId} has no secret to read`);
  const serviceUser = await api.call(
    'clients.serviceAccountUser',
    { realm: master, client: client.id },
    opts,
  );
  const roles = await Promise.all(
    EXAPP_REALM_ROLES.map((role) =>
      api.call('clients.role', { realm: master, client: realmClient.id, role }, opts),
    ),
  );
  await api.call(
    'users.addClientRoles',
    {
      realm: master,
      user: serviceUser.id,
      client: realmClient.id,
      body: roles.map((r) => ({ id: r.id, name: r.name })),
    },
    opts,
  );
  return {
    clientId: opts.clientId,
    clientSecret: new Secret(secret),
    realm: opts.realm,
    roles: roles.map((r) => r.name),
    created,
  };
}

export interface AdminRoleCheck {
  /**
   * Where the answer comes from: the token's role claims, or (for a token without them, such as
   * Keycloak's bootstrap admin client, which lacks the `roles` scope) read-only probes of the realm.
   */
  readonly source: 'token' | 'probe';
  /** Master's `admin` role: everything, more than the ExApp needs. */
  readonly isMasterAdmin: boolean;
  /** `EXAPP_REALM_ROLES` the credentials lack on the realm (empty = enough; probes see reads only). */
  readonly missing: readonly string[];
}

/** What the admin credentials of `http` may do on `realm`. */
export async function checkAdminRoles(
  http: KeycloakHttp,
  realm: string,
  opts: CallOptions = {},
): Promise<AdminRoleCheck> {
  const claims = rolesOfOwnToken(await http.adminAccessToken(opts.signal));
  if (!claims.realm_access && !claims.resource_access) return probeAdminRoles(http, realm, opts);
  const realmRoles = claims.realm_access?.roles ?? [];
  const clientRoles = claims.resource_access?.[realmManagementClientId(realm)]?.roles ?? [];
  const isMasterAdmin = realmRoles.includes('admin');
  return {
    source: 'token',
    isMasterAdmin,
    missing: isMasterAdmin ? [] : EXAPP_REALM_ROLES.filter((r) => !clientRoles.includes(r)),
  };
}

/** One read per role that allows it; a 403 names the role as missing. */
async function probeAdminRoles(
  http: KeycloakHttp,
  realm: string,
  opts: CallOptions,
): Promise<AdminRoleCheck> {
  const api = new KeycloakAdminApi(http);
  const probes: [role: string, probe: () => Promise<unknown>][] = [
    ['view-realm', () => api.call('realms.get', { realm }, opts)],
    ['view-clients', () => api.call('clients.find', { realm, query: { max: 1 } }, opts)],
    ['view-users', () => api.call('users.search', { realm, query: { max: 1 } }, opts)],
    ['query-groups', () => api.call('groups.list', { realm, query: { max: 1 } }, opts)],
  ];
  const missing: string[] = [];
  for (const [role, probe] of probes) {
    await probe().catch((error: unknown) => {
      // Keycloak's 403 (a valid token without the role) arrives as UPSTREAM_UNAUTHORIZED.
      if ((error as { code?: string }).code === 'UPSTREAM_UNAUTHORIZED') missing.push(role);
      else throw error;
    });
  }
  return { source: 'probe', isMasterAdmin: false, missing };
}
