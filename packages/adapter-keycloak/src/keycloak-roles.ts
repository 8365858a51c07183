import type { CallOptions, GroupRolesSpec } from '@keycloak-exapp/core';
import type { KeycloakAdminApi } from './admin-api/keycloak-admin-api.js';
import type { KeycloakManagedGroups } from './keycloak-groups.js';
import { MANAGED_MARKER } from './managed-marker.js';

/** What a reconcile step did, in the words of RealmReconcileReport. */
interface Report {
  readonly created: string[];
  readonly updated: string[];
  readonly unchanged: string[];
}

type RoleRef = { readonly id: string; readonly name: string };

/** The realm roles named, as Keycloak knows them (each must exist: the realm reconcile made them). */
async function realmRoleRefs(
  api: KeycloakAdminApi,
  realm: string,
  names: readonly string[],
  opts: CallOptions,
): Promise<RoleRef[]> {
  const refs: RoleRef[] = [];
  for (const name of names) {
    const role = await api.call('roles.get', { realm, role: name }, opts);
    if (!role) throw new Error(`realm role "${name}" vanished during the reconcile`);
    refs.push({ id: role.id, name: role.name });
  }
  return refs;
}

/** A client's own roles: the missing ones are created (never deleted). */
export async function reconcileClientRoles(
  api: KeycloakAdminApi,
  realm: string,
  client: { readonly id: string; readonly clientId: string },
  roles: readonly string[],
  report: Report,
  opts: CallOptions,
): Promise<void> {
  if (roles.length === 0) return;
  const key = `client-roles:${client.clientId}`;
  const existing = new Set(
    (await api.call('clients.roles', { realm, client: client.id }, opts)).map((r) => r.name),
  );
  const missing = roles.filter((r) => !existing.has(r));
  for (const name of missing)
    await api.call(
      'clients.createRole',
      { realm, client: client.id, body: { name, attributes: { [MANAGED_MARKER]: ['true'] } } },
      opts,
    );
  (missing.length > 0 ? report.updated : report.unchanged).push(key);
}

/** The realm's default roles (every user holds them) include `roles`. */
export async function reconcileDefaultRoles(
  api: KeycloakAdminApi,
  realm: string,
  roles: readonly string[],
  report: Report,
  opts: CallOptions,
): Promise<void> {
  if (roles.length === 0) return;
  const key = 'default-roles';
  const current = (await api.call('realms.get', { realm }, opts)) as
    { defaultRole?: { name?: string } } | undefined;
  const defaultRole = current?.defaultRole?.name ?? `default-roles-${realm.toLowerCase()}`;
  const held = new Set(
    (await api.call('roles.composites', { realm, role: defaultRole }, opts)).map((r) => r.name),
  );
  const missing = roles.filter((r) => !held.has(r));
  if (missing.length > 0)
    await api.call(
      'roles.addComposites',
      { realm, role: defaultRole, body: await realmRoleRefs(api, realm, missing, opts) },
      opts,
    );
  (missing.length > 0 ? report.updated : report.unchanged).push(key);
}

/**
 * The roles a directory group gives its members, held by its managed group (made now when the sync
 * has not made it yet, so the first sync's members get them at once). Missing grants are added.
 */
export async function reconcileGroupRoles(
  api: KeycloakAdminApi,
  realm: string,
  groups: KeycloakManagedGroups,
  spec: GroupRolesSpec,
  clientIds: ReadonlyMap<string, string>,
  report: Report,
  opts: CallOptions,
): Promise<void> {
  const key = `group-roles:${spec.group}`;
  const [groupId] = await groups.ensure([spec.group], opts);
  if (!groupId) throw new Error(`group "${spec.group}" could not be made`);
  let changed = false;
  const heldRealm = new Set(
    (await api.call('groups.realmRoles', { realm, group: groupId }, opts)).map((r) => r.name),
  );
  const missingRealm = spec.realmRoles.filter((r) => !heldRealm.has(r));
  if (missingRealm.length > 0) {
    await api.call(
      'groups.addRealmRoles',
      { realm, group: groupId, body: await realmRoleRefs(api, realm, missingRealm, opts) },
      opts,
    );
    changed = true;
  }
  for (const [clientId, roles] of Object.entries(spec.clientRoles)) {
    const client = clientIds.get(clientId);
    if (!client) throw new Error(`client "${clientId}" is not in the realm`);
    const held = new Set(
      (await api.call('groups.clientRoles', { realm, group: groupId, client }, opts)).map((r) => r.name),
    );
    const missing = roles.filter((r) => !held.has(r));
    if (missing.length === 0) continue;
    const all = await api.call('clients.roles', { realm, client }, opts);
    const refs = missing.map((name) => {
      const role = all.find((r) => r.name === name);
      if (!role) throw new Error(`client role "${clientId}/${name}" vanished during the reconcile`);
      return { id: role.id, name: role.name };
    });
    await api.call('groups.addClientRoles', { realm, group: groupId, client, body: refs }, opts);
    changed = true;
  }
  (changed ? report.updated : report.unchanged).push(key);
}
