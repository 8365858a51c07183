import { exchangeScopeFor, type CallOptions } from '@keycloak-exapp/core';
import type { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';
import { MANAGED_MARKER } from './managed-marker.js';

/** What a reconcile step did, in the words of RealmReconcileReport. */
interface Report {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
}

interface ClientRef {
  readonly id: string;
  readonly clientId: string;
}

/**
 * Realm roles a client's tokens may carry besides the realm file's: `offline_access`, so an
 * offline token can still be asked for.
 */
const ALWAYS_IN_SCOPE = ['offline_access'];

/**
 * The realm roles a client's tokens carry. Our clients do not allow the full scope: with it, a
 * token for one client carried every client role of the user and Keycloak's audience resolution
 * put those clients in `aud` (an Open Zaak token would then pass Valtimo's audience check). So the
 * realm file's roles are in scope and, as always, the client's own roles.
 */
export async function reconcileRealmRoleScope(
  api: KeycloakAdminApi,
  realm: string,
  client: ClientRef,
  realmRoles: readonly string[],
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const key = `role-scope:${client.clientId}`;
  const held = new Set(
    (await api.call('clients.realmScope', { realm, client: client.id }, opts)).map((r) => r.name),
  );
  const missing = [...realmRoles, ...ALWAYS_IN_SCOPE].filter((r) => !held.has(r));
  if (missing.length === 0) {
    report.unchanged.push(key);
    return;
  }
  const refs = [];
  for (const name of missing) {
    const role = await api.call('roles.get', { realm, role: name }, opts);
    if (role) refs.push({ id: role.id, name: role.name });
  }
  await api.call('clients.addRealmScope', { realm, client: client.id, body: refs }, opts);
  report.updated.push(key);
}

/**
 * Standard Token Exchange pairs: `requester` may exchange its users' access tokens for each of
 * `targets`. Each target has a client scope of ours, `audience-<target>`: an audience mapper (so
 * the exchanged token names the target in `aud` even for a user without roles there) and the
 * target's client roles in scope (so `resource_access.<target>` shows the user's roles there). It
 * is an optional scope of the requester: the requester's own tokens do not carry the target; an
 * exchange asks for it with `scope=audience-<target>&audience=<target>`. Scopes of ours that are no
 * longer declared leave the requester, so an undeclared pair is refused.
 */
export async function reconcileExchangeScopes(
  api: KeycloakAdminApi,
  realm: string,
  requester: ClientRef,
  targets: readonly ClientRef[],
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const scopes = await api.call('clientScopes.list', { realm }, opts);
  const attached = await api.call('clients.optionalScopes', { realm, client: requester.id }, opts);
  const wanted = new Set(targets.map((t) => exchangeScopeFor(t.clientId)));
  for (const scope of attached) {
    const ours = scopes.find((s) => s.id === scope.id)?.attributes?.[MANAGED_MARKER] === 'true';
    if (!ours || wanted.has(scope.name) || !scope.name.startsWith(exchangeScopeFor(''))) continue;
    await api.call('clients.removeOptionalScope', { realm, client: requester.id, scope: scope.id }, opts);
    report.updated.push(`exchange:${requester.clientId}->${scope.name.slice(exchangeScopeFor('').length)}`);
  }
  for (const target of targets) {
    const key = `exchange:${requester.clientId}->${target.clientId}`;
    const name = exchangeScopeFor(target.clientId);
    let changed = false;
    let scopeId = scopes.find((s) => s.name === name)?.id;
    if (!scopeId) {
      scopeId = await api.call('clientScopes.create', { realm, body: exchangeScope(target.clientId) }, opts);
      scopes.push({ id: scopeId, name, attributes: { [MANAGED_MARKER]: 'true' } });
      changed = true;
    }
    const inScope = new Set(
      (await api.call('clientScopes.clientRoles', { realm, scope: scopeId, client: target.id }, opts)).map(
        (r) => r.name,
      ),
    );
    const missing = (await api.call('clients.roles', { realm, client: target.id }, opts)).filter(
      (r) => !inScope.has(r.name),
    );
    if (missing.length > 0) {
      await api.call(
        'clientScopes.addClientRoles',
        { realm, scope: scopeId, client: target.id, body: missing.map((r) => ({ id: r.id, name: r.name })) },
        opts,
      );
      changed = true;
    }
    if (!attached.some((s) => s.id === scopeId)) {
      await api.call('clients.addOptionalScope', { realm, client: requester.id, scope: scopeId }, opts);
      changed = true;
    }
    (changed ? report.updated : report.unchanged).push(key);
  }
}

function exchangeScope(audience: string): Record<string, unknown> {
  return {
    name: exchangeScopeFor(audience),
    description: `Names ${audience} as the audience of a token exchanged for it`,
    protocol: 'openid-connect',
    attributes: {
      [MANAGED_MARKER]: 'true',
      'include.in.token.scope': 'true',
      'display.on.consent.screen': 'false',
    },
    protocolMappers: [
      {
        name: `audience ${audience}`,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        consentRequired: false,
        config: {
          'included.client.audience': audience,
          'id.token.claim': 'false',
          'access.token.claim': 'true',
          'introspection.token.claim': 'true',
        },
      },
    ],
  };
}
