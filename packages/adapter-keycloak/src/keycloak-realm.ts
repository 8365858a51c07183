import {
  NEXTCLOUD_ID_ATTRIBUTE,
  PASSWORD_KEY_ATTRIBUTE,
  type CallOptions,
  type ClientSpec,
  type RealmReconcileReport,
  type RealmSpec,
} from '@keycloak-exapp/core';
import { z } from 'zod';
import {
  clientRepresentationSchema,
  protocolMapperSchema,
  userProfileSchema,
  type ClientRepresentation,
  type UserProfileConfig,
} from './keycloak.dto.js';
import type { KeycloakHttp } from './keycloak.http.js';

/** Creating a realm makes Keycloak write hundreds of rows; it can take many seconds on a busy host. */
const REALM_TIMEOUT_MS = 180_000;

/** Objects this project created carry this attribute; only those are ever updated. */
export const MANAGED_MARKER = 'keycloak_exapp_managed';

const enc = encodeURIComponent;

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
    redirectUris: [...spec.redirectUris],
    webOrigins: [...spec.webOrigins],
    attributes: {
      [MANAGED_MARKER]: 'true',
      'pkce.code.challenge.method': spec.standardFlow && spec.publicClient ? 'S256' : '',
    },
    protocolMappers: groupClaims.map(groupMapper),
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

function clientDiffers(current: ClientRepresentation, spec: ClientSpec): boolean {
  const c = current as Record<string, unknown>;
  return (
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
  constructor(
    private readonly http: KeycloakHttp,
    private readonly realm: string,
  ) {}

  #path(rest: string): string {
    return `admin/realms/${enc(this.realm)}${rest}`;
  }

  async reconcile(spec: RealmSpec, opts: CallOptions): Promise<RealmReconcileReport> {
    const report = {
      realm: spec.realm,
      created: [] as string[],
      updated: [] as string[],
      unchanged: [] as string[],
      drift: [] as string[],
    };
    await this.#reconcileRealm(spec, report, opts);
    await this.#reconcileUserProfile(report, opts);
    for (const role of spec.realmRoles) await this.#reconcileRole(role, report, opts);
    for (const client of spec.clients) await this.#reconcileClient(client, spec.groupClaims, report, opts);
    return report;
  }

  async #reconcileRealm(spec: RealmSpec, report: Report, opts: CallOptions): Promise<void> {
    const key = `realm:${spec.realm}`;
    const res = await this.http
      .admin('GET', this.#path(''), { signal: opts.signal, what: 'read realm' })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'NOT_FOUND') return undefined;
        throw error;
      });
    if (!res) {
      await this.http.admin('POST', 'admin/realms', {
        json: {
          realm: spec.realm,
          displayName: spec.displayName ?? spec.realm,
          ...REALM_SETTINGS,
          ...(spec.accessTokenLifespanSeconds
            ? { accessTokenLifespan: spec.accessTokenLifespanSeconds }
            : {}),
          attributes: { [MANAGED_MARKER]: 'true' },
        },
        signal: opts.signal,
        what: 'create realm',
        timeoutMs: REALM_TIMEOUT_MS,
      });
      report.created.push(key);
      return;
    }
    const current = JSON.parse(res.body) as Record<string, unknown> & { attributes?: Record<string, string> };
    const differs = Object.entries(REALM_SETTINGS).some(([k, v]) => current[k] !== v);
    if (!differs) report.unchanged.push(key);
    else if (current.attributes?.[MANAGED_MARKER] === 'true') {
      await this.http.admin('PUT', this.#path(''), {
        json: { ...REALM_SETTINGS },
        signal: opts.signal,
        what: 'update realm',
      });
      report.updated.push(key);
    } else report.drift.push(key);
  }

  async #reconcileUserProfile(report: Report, opts: CallOptions): Promise<void> {
    const key = 'user-profile';
    const profile = await this.http.adminJson('GET', this.#path('/users/profile'), userProfileSchema, {
      signal: opts.signal,
      what: 'read user profile',
    });
    const wanted = wantedUserProfile(profile);
    if (JSON.stringify(wanted) === JSON.stringify(profile)) {
      report.unchanged.push(key);
      return;
    }
    await this.http.admin('PUT', this.#path('/users/profile'), {
      json: wanted,
      signal: opts.signal,
      what: 'update user profile',
    });
    report.updated.push(key);
  }

  async #reconcileRole(name: string, report: Report, opts: CallOptions): Promise<void> {
    const key = `role:${name}`;
    const exists = await this.http
      .admin('GET', this.#path(`/roles/${enc(name)}`), { signal: opts.signal, what: 'read role' })
      .then(() => true)
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'NOT_FOUND') return false;
        throw error;
      });
    if (exists) {
      report.unchanged.push(key);
      return;
    }
    await this.http.admin('POST', this.#path('/roles'), {
      json: { name, attributes: { [MANAGED_MARKER]: ['true'] } },
      signal: opts.signal,
      what: 'create role',
    });
    report.created.push(key);
  }

  async #reconcileClient(
    spec: ClientSpec,
    groupClaims: readonly string[],
    report: Report,
    opts: CallOptions,
  ): Promise<void> {
    const key = `client:${spec.clientId}`;
    const current = await this.findClient(spec.clientId, opts);
    const wanted = clientRepresentation(spec, groupClaims);
    if (!current) {
      await this.http.admin('POST', this.#path('/clients'), {
        json: wanted,
        signal: opts.signal,
        what: 'create client',
      });
      report.created.push(key);
      return;
    }
    const ours = current.attributes?.[MANAGED_MARKER] === 'true';
    const mappers = await this.http.adminJson(
      'GET',
      this.#path(`/clients/${enc(current.id)}/protocol-mappers/models`),
      z.array(protocolMapperSchema),
      {
        signal: opts.signal,
        what: 'read client mappers',
      },
    );
    const missingMappers = groupClaims
      .map(groupMapper)
      .filter((m) => !mappers.some((x) => x.name === m.name));
    if (!clientDiffers(current, spec) && missingMappers.length === 0) {
      report.unchanged.push(key);
      return;
    }
    if (!ours) {
      report.drift.push(key);
      return;
    }
    const { protocolMappers: _ignored, ...rest } = wanted;
    await this.http.admin('PUT', this.#path(`/clients/${enc(current.id)}`), {
      json: {
        ...current,
        ...rest,
        attributes: { ...(current.attributes ?? {}), ...(rest.attributes as Record<string, string>) },
      },
      signal: opts.signal,
      what: 'update client',
    });
    for (const mapper of missingMappers) {
      await this.http.admin('POST', this.#path(`/clients/${enc(current.id)}/protocol-mappers/models`), {
        json: mapper,
        signal: opts.signal,
        what: 'add mapper',
      });
    }
    report.updated.push(key);
  }

  async findClient(clientId: string, opts: CallOptions): Promise<ClientRepresentation | undefined> {
    const list = await this.http.adminJson(
      'GET',
      this.#path('/clients'),
      z.array(clientRepresentationSchema),
      {
        searchParams: { clientId, search: false },
        signal: opts.signal,
        what: 'find client',
      },
    );
    return list.find((c) => c.clientId === clientId);
  }

  async clientSecret(internalId: string, opts: CallOptions): Promise<string | undefined> {
    const secret = await this.http.adminJson(
      'GET',
      this.#path(`/clients/${enc(internalId)}/client-secret`),
      z.object({ value: z.string().optional() }),
      {
        signal: opts.signal,
        what: 'read client secret',
      },
    );
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
