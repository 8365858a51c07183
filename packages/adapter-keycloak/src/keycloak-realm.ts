import {
  NEXTCLOUD_ID_ATTRIBUTE,
  PASSWORD_KEY_ATTRIBUTE,
  type CallOptions,
  type ClientSpec,
  type RealmReconcileReport,
  type RealmSpec,
} from '@keycloak-exapp/core';
import type { ClientRepresentation, UserProfileConfig } from './keycloak.dto.js';
import type { KeycloakHttp } from './keycloak.http.js';
import { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';
import { KeycloakManagedGroups } from './keycloak-groups.js';
import { reconcileClientRoles, reconcileDefaultRoles, reconcileGroupRoles } from './keycloak-roles.js';
import { reconcileExchangeScopes, reconcileRealmRoleScope } from './keycloak-client-scopes.js';
import { reconcileSignIn } from './keycloak-sign-in.js';
import { MANAGED_MARKER } from './managed-marker.js';

/** Realm settings that keep Nextcloud users loggable: duplicate e-mails allowed, no e-mail login. */
const REALM_SETTINGS = {
  enabled: true,
  duplicateEmailsAllowed: true,
  loginWithEmailAllowed: false,
  registrationAllowed: false,
  editUsernameAllowed: false,
  verifyEmail: false,
} as const;

function clientRepresentation(spec: ClientSpec, groupClaims: readonly string[]): Record<string, unknown> {
  return {
    clientId: spec.clientId,
    name: spec.name ?? spec.clientId,
    protocol: 'openid-connect',
    enabled: true,
    publicClient: spec.publicClient,
    standardFlowEnabled: spec.standardFlow,
    directAccessGrantsEnabled: spec.directAccessGrants,
    serviceAccountsEnabled: spec.serviceAccount,
    implicitFlowEnabled: false,
    // Scope-mapped realm roles and the client's own roles only (keycloak-client-scopes.ts says why).
    fullScopeAllowed: false,
    redirectUris: [...spec.redirectUris],
    webOrigins: [...spec.webOrigins],
    // With a back-channel URL, a browser logout reaches the client that way too.
    ...(spec.backchannelLogout ? { frontchannelLogout: false } : {}),
    attributes: {
      [MANAGED_MARKER]: 'true',
      'pkce.code.challenge.method': spec.standardFlow && spec.publicClient ? 'S256' : '',
      ...clientAttributes(spec),
    },
    protocolMappers: mappersFor(spec, groupClaims),
  };
}

/** The attributes of back-channel logout and token exchange, as the realm file declares them. */
function clientAttributes(spec: ClientSpec): Record<string, string> {
  const logout = spec.backchannelLogout;
  return {
    'backchannel.logout.url': logout?.url ?? '',
    ...(logout
      ? {
          'backchannel.logout.session.required': String(logout.sessionRequired),
          'backchannel.logout.revoke.offline.tokens': String(logout.revokeOfflineTokens),
        }
      : {}),
    'standard.token.exchange.enabled': String((spec.exchangeFor ?? []).length > 0),
  };
}

/** The client's mappers: the group claims, and its own id and its declared audiences in `aud`. */
function mappersFor(spec: ClientSpec, groupClaims: readonly string[]) {
  return [...groupClaims.map(groupMapper), ...[spec.clientId, ...(spec.audiences ?? [])].map(audienceMapper)];
}

function audienceMapper(clientId: string) {
  return {
    name: `audience ${clientId}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    consentRequired: false,
    config: {
      'included.client.audience': clientId,
      'id.token.claim': 'false',
      'access.token.claim': 'true',
      'introspection.token.claim': 'true',
    },
  };
}

function groupMapper(claim: string) {
  return {
    name: `nextcloud groups as ${claim}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-group-membership-mapper',
    consentRequired: false,
    config: {
      'claim.name': claim,
      'full.path': 'false',
      'id.token.claim': 'true',
      'access.token.claim': 'true',
      'userinfo.token.claim': 'true',
      'introspection.token.claim': 'true',
    },
  };
}

const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

/** Attribute values Keycloak leaves out until set, as they read when unset. */
const UNSET_ATTRIBUTES: Record<string, string> = {
  'backchannel.logout.url': '',
  'standard.token.exchange.enabled': 'false',
};

function clientDiffers(current: ClientRepresentation, spec: ClientSpec): boolean {
  const c = current as Record<string, unknown>;
  const attributes = current.attributes ?? {};
  return (
    Object.entries(clientAttributes(spec)).some(
      ([name, value]) => (attributes[name] ?? UNSET_ATTRIBUTES[name]) !== value,
    ) ||
    c.fullScopeAllowed !== false ||
    (spec.backchannelLogout !== undefined && c.frontchannelLogout !== false) ||
    c.publicClient !== spec.publicClient ||
    c.standardFlowEnabled !== spec.standardFlow ||
    c.directAccessGrantsEnabled !== spec.directAccessGrants ||
    c.serviceAccountsEnabled !== spec.serviceAccount ||
    JSON.stringify(sorted(c.redirectUris as string[] | undefined)) !==
      JSON.stringify(sorted(spec.redirectUris)) ||
    JSON.stringify(sorted(c.webOrigins as string[] | undefined)) !== JSON.stringify(sorted(spec.webOrigins))
  );
}

/**
 * The realm half of the Keycloak adapter: creates what is missing, updates only what carries our
 * marker, reports everything else that differs as drift and leaves it alone. Never deletes.
 */
export class KeycloakRealm {
  readonly #api: KeycloakAdminApi;

  constructor(
    http: KeycloakHttp,
    private readonly realm: string,
  ) {
    this.#api = new KeycloakAdminApi(http);
  }

  async reconcile(spec: RealmSpec, opts: CallOptions): Promise<RealmReconcileReport> {
    const report = {
      realm: spec.realm,
      created: [] as string[],
      updated: [] as string[],
      unchanged: [] as string[],
      drift: [] as string[],
    };
    const realmIsOurs = await this.#reconcileRealm(spec, report, opts);
    await this.#reconcileUserProfile(report, opts);
    for (const role of spec.realmRoles) await this.#reconcileRole(role, report, opts);
    // Keycloak's id of each client, for the role grants that follow.
    const clientIds = new Map<string, string>();
    for (const client of spec.clients)
      clientIds.set(client.clientId, await this.#reconcileClient(client, spec.groupClaims, report, opts));
    await this.#reconcileRoleGrants(spec, clientIds, report, opts);
    // Only the running application knows where its sign-in endpoints are.
    if (spec.signIn?.endpoints)
      await reconcileSignIn(
        this.#api,
        this.realm,
        spec.signIn,
        spec.signIn.endpoints,
        realmIsOurs,
        report,
        opts,
      );
    return report;
  }

  /** Creates the realm or brings its settings in line; answers whether the realm is ours. */
  async #reconcileRealm(spec: RealmSpec, report: Report, opts: CallOptions): Promise<boolean> {
    const key = `realm:${spec.realm}`;
    const current = await this.#api.call('realms.get', { realm: this.realm }, opts);
    if (!current) {
      const body = {
        realm: spec.realm,
        displayName: spec.displayName ?? spec.realm,
        ...REALM_SETTINGS,
        ...(spec.accessTokenLifespanSeconds ? { accessTokenLifespan: spec.accessTokenLifespanSeconds } : {}),
        attributes: { [MANAGED_MARKER]: 'true' },
      };
      await this.#api.call('realms.create', { body }, opts);
      report.created.push(key);
      return true;
    }
    const ours = current.attributes?.[MANAGED_MARKER] === 'true';
    const differs = Object.entries(REALM_SETTINGS).some(([k, v]) => current[k] !== v);
    if (!differs) report.unchanged.push(key);
    else if (ours) {
      await this.#api.call('realms.update', { realm: this.realm, body: { ...REALM_SETTINGS } }, opts);
      report.updated.push(key);
    } else report.drift.push(key);
    return ours;
  }

  async #reconcileUserProfile(report: Report, opts: CallOptions): Promise<void> {
    const key = 'user-profile';
    const profile = await this.#api.call('userProfile.get', { realm: this.realm }, opts);
    const wanted = wantedUserProfile(profile);
    if (JSON.stringify(wanted) === JSON.stringify(profile)) {
      report.unchanged.push(key);
      return;
    }
    await this.#api.call('userProfile.update', { realm: this.realm, body: wanted }, opts);
    report.updated.push(key);
  }

  async #reconcileRole(name: string, report: Report, opts: CallOptions): Promise<void> {
    const key = `role:${name}`;
    if (await this.#api.call('roles.get', { realm: this.realm, role: name }, opts)) {
      report.unchanged.push(key);
      return;
    }
    await this.#api.call(
      'roles.create',
      { realm: this.realm, body: { name, attributes: { [MANAGED_MARKER]: ['true'] } } },
      opts,
    );
    report.created.push(key);
  }

  async #reconcileClient(
    spec: ClientSpec,
    groupClaims: readonly string[],
    report: Report,
    opts: CallOptions,
  ): Promise<string> {
    const key = `client:${spec.clientId}`;
    const current = await this.findClient(spec.clientId, opts);
    const wanted = clientRepresentation(spec, groupClaims);
    if (!current) {
      const id = await this.#api.call('clients.create', { realm: this.realm, body: wanted }, opts);
      report.created.push(key);
      return id;
    }
    const ours = current.attributes?.[MANAGED_MARKER] === 'true';
    const mappers = await this.#api.call('clients.mappers', { realm: this.realm, client: current.id }, opts);
    const missingMappers = mappersFor(spec, groupClaims).filter(
      (m) => !mappers.some((x) => x.name === m.name),
    );
    if (!clientDiffers(current, spec) && missingMappers.length === 0) {
      report.unchanged.push(key);
      return current.id;
    }
    if (!ours) {
      report.drift.push(key);
      return current.id;
    }
    const { protocolMappers: _ignored, ...rest } = wanted;
    const attributes = { ...(current.attributes ?? {}), ...(rest.attributes as Record<string, string>) };
    await this.#api.call(
      'clients.update',
      { realm: this.realm, client: current.id, body: { ...current, ...rest, attributes } },
      opts,
    );
    for (const mapper of missingMappers)
      await this.#api.call(
        'clients.addMapper',
        { realm: this.realm, client: current.id, body: mapper },
        opts,
      );
    report.updated.push(key);
    return current.id;
  }

  /** Client roles, the realm's default roles and the roles groups give (all after the clients). */
  async #reconcileRoleGrants(
    spec: RealmSpec,
    clientIds: ReadonlyMap<string, string>,
    report: Report,
    opts: CallOptions,
  ): Promise<void> {
    const refOf = (clientId: string) => {
      const id = clientIds.get(clientId);
      return id ? [{ id, clientId }] : [];
    };
    for (const client of spec.clients)
      for (const ref of refOf(client.clientId))
        await reconcileClientRoles(this.#api, this.realm, ref, client.roles ?? [], report, opts);
    // After every client's roles exist: the exchange scopes hold the targets' roles.
    for (const client of spec.clients)
      for (const ref of refOf(client.clientId)) {
        await reconcileRealmRoleScope(this.#api, this.realm, ref, spec.realmRoles, report, opts);
        const targets = (client.exchangeFor ?? []).flatMap(refOf);
        await reconcileExchangeScopes(this.#api, this.realm, ref, targets, report, opts);
      }
    await reconcileDefaultRoles(this.#api, this.realm, spec.defaultRoles ?? [], report, opts);
    const groups = new KeycloakManagedGroups(this.#api, this.realm, 1);
    for (const entry of spec.groupRoles ?? [])
      await reconcileGroupRoles(this.#api, this.realm, groups, entry, clientIds, report, opts);
  }

  async findClient(clientId: string, opts: CallOptions): Promise<ClientRepresentation | undefined> {
    const list = await this.#api.call(
      'clients.find',
      { realm: this.realm, query: { clientId, search: false } },
      opts,
    );
    return list.find((c) => c.clientId === clientId);
  }

  async clientSecret(internalId: string, opts: CallOptions): Promise<string | undefined> {
    const secret = await this.#api.call('clients.secret', { realm: this.realm, client: internalId }, opts);
    return secret.value;
  }
}

type Report = { created: string[]; updated: string[]; unchanged: string[]; drift: string[] };

const ADMIN_ONLY = { view: ['admin'], edit: ['admin'] };

/**
 * The user profile we need: our two attributes declared (admins only), and first name, last name
 * and e-mail optional so that users Nextcloud has no e-mail or surname for can still get tokens.
 * Person-name character rules are dropped because Nextcloud display names may contain anything.
 */
export function wantedUserProfile(profile: UserProfileConfig): UserProfileConfig {
  const attributes = profile.attributes.map((attribute) => {
    if (!['email', 'firstName', 'lastName'].includes(attribute.name)) return attribute;
    const { required: _required, ...rest } = attribute as Record<string, unknown> & { name: string };
    const validations = { ...((rest.validations as Record<string, unknown> | undefined) ?? {}) };
    delete validations['person-name-prohibited-characters'];
    return { ...rest, validations };
  });
  for (const name of [NEXTCLOUD_ID_ATTRIBUTE, PASSWORD_KEY_ATTRIBUTE]) {
    if (!attributes.some((a) => a.name === name)) {
      attributes.push({
        name,
        displayName: name,
        permissions: ADMIN_ONLY,
        multivalued: false,
        validations: {},
        annotations: {},
      });
    }
  }
  return { ...profile, attributes };
}
