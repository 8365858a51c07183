import type { Method } from 'got';
import { z } from 'zod';
import {
  clientRepresentationSchema,
  groupRepresentationSchema,
  protocolMapperSchema,
  userProfileSchema,
  userRepresentationSchema,
} from '../keycloak.dto.js';

/**
 * What an endpoint answers: a JSON body checked against a schema, the id of what it created (the
 * last segment of its `Location`), or nothing worth reading.
 */
export type EndpointAnswer = z.ZodType | 'created-id' | 'none';

/** One call of Keycloak's admin REST API, as data. */
export interface AdminEndpoint {
  readonly method: Method;
  /** Under `admin/`; each `{name}` is a path parameter, percent-encoded when the call is made. */
  readonly path: string;
  /** The query parameters the call may take. */
  readonly query?: readonly string[];
  /** The body it sends, as a type only (`body<T>()`); absent: none. */
  readonly body?: unknown;
  readonly answer: EndpointAnswer;
  /** `'undefined'`: a 404 answers `undefined` (an absent thing is an answer); otherwise NOT_FOUND. */
  readonly notFound?: 'undefined';
  /** Words for error messages: what the call does. */
  readonly what: string;
  /** For heavy calls (creating a realm writes hundreds of rows). */
  readonly timeoutMs?: number;
}

/** The type of an endpoint's body, declared without a value. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the type is the point: it has no value
const body = <T>(): T => undefined as T;

type Representation = Record<string, unknown>;
const idSchema = z.looseObject({ id: z.string() });
const roleSchema = z.looseObject({ id: z.string(), name: z.string() });
type RoleRef = { readonly id: string; readonly name: string };
const clientScopeSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()).nullish(),
});
const partialImportSchema = z.object({
  results: z
    .array(
      z.looseObject({
        action: z.string(),
        resourceType: z.string(),
        resourceName: z.string(),
        id: z.string(),
      }),
    )
    .default([]),
});
const realmSchema = z.looseObject({
  realm: z.string(),
  attributes: z.record(z.string(), z.string()).nullish(),
});
const USER_LISTING = ['first', 'max', 'briefRepresentation'] as const;
const identityProviderSchema = z.looseObject({
  alias: z.string(),
  providerId: z.string(),
  enabled: z.boolean().optional(),
  firstBrokerLoginFlowAlias: z.string().nullish(),
  config: z.record(z.string(), z.string()).default({}),
});
const flowSchema = z.looseObject({ id: z.string(), alias: z.string(), description: z.string().nullish() });
const executionSchema = z.looseObject({
  id: z.string(),
  providerId: z.string().nullish(),
  requirement: z.string(),
  level: z.number(),
  authenticationConfig: z.string().nullish(),
});
const authenticatorConfigSchema = z.looseObject({
  id: z.string(),
  alias: z.string(),
  config: z.record(z.string(), z.string()).default({}),
});

/**
 * Every admin REST call the adapter makes, one line each (kept so by prettier-ignore), as
 * keycloak-admin-client declares its resources: `KeycloakAdminApi.call(name, params)` builds the
 * path, encodes the parameters, checks the answer and maps a 404 the same way for all of them.
 */
// prettier-ignore
export const ADMIN_ENDPOINTS = {
  // Realms, their user profile and realm roles (setup).
  'realms.get': { method: 'GET', path: 'realms/{realm}', answer: realmSchema, notFound: 'undefined', what: 'read realm' },
  'realms.create': { method: 'POST', path: 'realms', body: body<Representation>(), answer: 'none', what: 'create realm', timeoutMs: 180_000 },
  'realms.update': { method: 'PUT', path: 'realms/{realm}', body: body<Representation>(), answer: 'none', what: 'update realm' },
  'realms.partialImport': { method: 'POST', path: 'realms/{realm}/partialImport', body: body<Representation>(), answer: partialImportSchema, what: 'import users', timeoutMs: 120_000 },
  'userProfile.get': { method: 'GET', path: 'realms/{realm}/users/profile', answer: userProfileSchema, what: 'read user profile' },
  'userProfile.update': { method: 'PUT', path: 'realms/{realm}/users/profile', body: body<z.infer<typeof userProfileSchema>>(), answer: 'none', what: 'update user profile' },
  'roles.get': { method: 'GET', path: 'realms/{realm}/roles/{role}', answer: roleSchema, notFound: 'undefined', what: 'read role' },
  'roles.create': { method: 'POST', path: 'realms/{realm}/roles', body: body<Representation>(), answer: 'none', what: 'create role' },
  'roles.composites': { method: 'GET', path: 'realms/{realm}/roles/{role}/composites/realm', answer: z.array(roleSchema), what: 'read composite roles' },
  'roles.addComposites': { method: 'POST', path: 'realms/{realm}/roles/{role}/composites', body: body<RoleRef[]>(), answer: 'none', what: 'add composite roles' },
  // Sign in with Nextcloud: the identity provider and its flows (setup).
  'identityProviders.get': { method: 'GET', path: 'realms/{realm}/identity-provider/instances/{alias}', answer: identityProviderSchema, notFound: 'undefined', what: 'read identity provider' },
  'identityProviders.create': { method: 'POST', path: 'realms/{realm}/identity-provider/instances', body: body<Representation>(), answer: 'none', what: 'create identity provider' },
  'identityProviders.update': { method: 'PUT', path: 'realms/{realm}/identity-provider/instances/{alias}', body: body<Representation>(), answer: 'none', what: 'update identity provider' },
  'flows.list': { method: 'GET', path: 'realms/{realm}/authentication/flows', answer: z.array(flowSchema), what: 'list authentication flows' },
  'flows.create': { method: 'POST', path: 'realms/{realm}/authentication/flows', body: body<Representation>(), answer: 'none', what: 'create authentication flow' },
  'flows.update': { method: 'PUT', path: 'realms/{realm}/authentication/flows/{flowId}', body: body<Representation>(), answer: 'none', what: 'update authentication flow' },
  'flows.copy': { method: 'POST', path: 'realms/{realm}/authentication/flows/{flow}/copy', body: body<{ newName: string }>(), answer: 'none', what: 'copy authentication flow' },
  'flows.executions': { method: 'GET', path: 'realms/{realm}/authentication/flows/{flow}/executions', answer: z.array(executionSchema), what: 'read flow executions' },
  'flows.addExecution': { method: 'POST', path: 'realms/{realm}/authentication/flows/{flow}/executions/execution', body: body<{ provider: string }>(), answer: 'none', what: 'add flow execution' },
  'flows.updateExecution': { method: 'PUT', path: 'realms/{realm}/authentication/flows/{flow}/executions', body: body<Representation>(), answer: 'none', what: 'update flow execution' },
  'executions.addConfig': { method: 'POST', path: 'realms/{realm}/authentication/executions/{execution}/config', body: body<{ alias: string; config: Record<string, string> }>(), answer: 'created-id', what: 'configure flow execution' },
  'authenticatorConfigs.get': { method: 'GET', path: 'realms/{realm}/authentication/config/{config}', answer: authenticatorConfigSchema, what: 'read authenticator config' },
  'authenticatorConfigs.update': { method: 'PUT', path: 'realms/{realm}/authentication/config/{config}', body: body<Representation>(), answer: 'none', what: 'update authenticator config' },
  // Clients (setup).
  'clients.find': { method: 'GET', path: 'realms/{realm}/clients', query: ['clientId', 'search', 'max'], answer: z.array(clientRepresentationSchema), what: 'find client' },
  'clients.create': { method: 'POST', path: 'realms/{realm}/clients', body: body<Representation>(), answer: 'created-id', what: 'create client' },
  'clients.update': { method: 'PUT', path: 'realms/{realm}/clients/{client}', body: body<Representation>(), answer: 'none', what: 'update client' },
  'clients.secret': { method: 'GET', path: 'realms/{realm}/clients/{client}/client-secret', answer: z.looseObject({ value: z.string().optional() }), what: 'read client secret' },
  'clients.mappers': { method: 'GET', path: 'realms/{realm}/clients/{client}/protocol-mappers/models', answer: z.array(protocolMapperSchema), what: 'read client mappers' },
  'clients.addMapper': { method: 'POST', path: 'realms/{realm}/clients/{client}/protocol-mappers/models', body: body<Representation>(), answer: 'none', what: 'add mapper' },
  'clients.serviceAccountUser': { method: 'GET', path: 'realms/{realm}/clients/{client}/service-account-user', answer: idSchema, what: 'find the service-account user' },
  'clients.roles': { method: 'GET', path: 'realms/{realm}/clients/{client}/roles', answer: z.array(roleSchema), what: 'read client roles' },
  'clients.role': { method: 'GET', path: 'realms/{realm}/clients/{client}/roles/{role}', answer: roleSchema, what: 'read client role' },
  'clients.createRole': { method: 'POST', path: 'realms/{realm}/clients/{client}/roles', body: body<Representation>(), answer: 'none', what: 'create client role' },
  // What a client's tokens may carry (setup): its realm-role scope, and its optional scopes.
  'clients.realmScope': { method: 'GET', path: 'realms/{realm}/clients/{client}/scope-mappings/realm', answer: z.array(roleSchema), what: "read client's realm-role scope" },
  'clients.addRealmScope': { method: 'POST', path: 'realms/{realm}/clients/{client}/scope-mappings/realm', body: body<RoleRef[]>(), answer: 'none', what: "add to client's realm-role scope" },
  'clients.optionalScopes': { method: 'GET', path: 'realms/{realm}/clients/{client}/optional-client-scopes', answer: z.array(clientScopeSchema), what: "read client's optional scopes" },
  'clients.addOptionalScope': { method: 'PUT', path: 'realms/{realm}/clients/{client}/optional-client-scopes/{scope}', answer: 'none', what: 'add optional client scope' },
  'clients.removeOptionalScope': { method: 'DELETE', path: 'realms/{realm}/clients/{client}/optional-client-scopes/{scope}', answer: 'none', what: 'remove optional client scope' },
  'clientScopes.list': { method: 'GET', path: 'realms/{realm}/client-scopes', answer: z.array(clientScopeSchema), what: 'list client scopes' },
  'clientScopes.create': { method: 'POST', path: 'realms/{realm}/client-scopes', body: body<Representation>(), answer: 'created-id', what: 'create client scope' },
  'clientScopes.clientRoles': { method: 'GET', path: 'realms/{realm}/client-scopes/{scope}/scope-mappings/clients/{client}', answer: z.array(roleSchema), what: "read client scope's client roles" },
  'clientScopes.addClientRoles': { method: 'POST', path: 'realms/{realm}/client-scopes/{scope}/scope-mappings/clients/{client}', body: body<RoleRef[]>(), answer: 'none', what: "add client roles to client scope" },
  // Users (the running server).
  'users.search': { method: 'GET', path: 'realms/{realm}/users', query: ['username', 'exact', ...USER_LISTING], answer: z.array(userRepresentationSchema), what: 'list users' },
  'users.get': { method: 'GET', path: 'realms/{realm}/users/{user}', query: ['userProfileMetadata'], answer: userRepresentationSchema, what: 'read user' },
  'users.create': { method: 'POST', path: 'realms/{realm}/users', body: body<Representation>(), answer: 'created-id', what: 'create user' },
  'users.update': { method: 'PUT', path: 'realms/{realm}/users/{user}', body: body<Representation>(), answer: 'none', what: 'update user' },
  'users.delete': { method: 'DELETE', path: 'realms/{realm}/users/{user}', answer: 'none', what: 'delete user' },
  'users.resetPassword': { method: 'PUT', path: 'realms/{realm}/users/{user}/reset-password', body: body<{ type: 'password'; value: string; temporary: boolean }>(), answer: 'none', what: 'set password' },
  'users.logout': { method: 'POST', path: 'realms/{realm}/users/{user}/logout', answer: 'none', what: 'revoke sessions' },
  'users.sessions': { method: 'GET', path: 'realms/{realm}/users/{user}/sessions', answer: z.array(idSchema), what: "list user's sessions" },
  'sessions.delete': { method: 'DELETE', path: 'realms/{realm}/sessions/{session}', answer: 'none', what: 'end session' },
  'users.groups': { method: 'GET', path: 'realms/{realm}/users/{user}/groups', query: ['briefRepresentation', 'max'], answer: z.array(groupRepresentationSchema), what: "read user's groups" },
  'users.joinGroup': { method: 'PUT', path: 'realms/{realm}/users/{user}/groups/{group}', answer: 'none', what: 'join group' },
  'users.leaveGroup': { method: 'DELETE', path: 'realms/{realm}/users/{user}/groups/{group}', answer: 'none', what: 'leave group' },
  'users.clientRoles': { method: 'GET', path: 'realms/{realm}/users/{user}/role-mappings/clients/{client}', answer: z.array(roleSchema), what: "read user's client roles" },
  'users.addClientRoles': { method: 'POST', path: 'realms/{realm}/users/{user}/role-mappings/clients/{client}', body: body<RoleRef[]>(), answer: 'none', what: 'grant client roles' },
  'users.removeClientRoles': { method: 'DELETE', path: 'realms/{realm}/users/{user}/role-mappings/clients/{client}', body: body<RoleRef[]>(), answer: 'none', what: 'take away client roles' },
  // Groups (the running server).
  'groups.list': { method: 'GET', path: 'realms/{realm}/groups', query: USER_LISTING, answer: z.array(groupRepresentationSchema), what: 'list groups' },
  'groups.members': { method: 'GET', path: 'realms/{realm}/groups/{group}/members', query: USER_LISTING, answer: z.array(idSchema), what: 'list group members' },
  'groups.create': { method: 'POST', path: 'realms/{realm}/groups', body: body<Representation>(), answer: 'created-id', what: 'create group' },
  // Roles held through groups (setup).
  'groups.realmRoles': { method: 'GET', path: 'realms/{realm}/groups/{group}/role-mappings/realm', answer: z.array(roleSchema), what: "read group's realm roles" },
  'groups.addRealmRoles': { method: 'POST', path: 'realms/{realm}/groups/{group}/role-mappings/realm', body: body<RoleRef[]>(), answer: 'none', what: 'grant realm roles to group' },
  'groups.clientRoles': { method: 'GET', path: 'realms/{realm}/groups/{group}/role-mappings/clients/{client}', answer: z.array(roleSchema), what: "read group's client roles" },
  'groups.addClientRoles': { method: 'POST', path: 'realms/{realm}/groups/{group}/role-mappings/clients/{client}', body: body<RoleRef[]>(), answer: 'none', what: 'grant client roles to group' },
} as const satisfies Record<string, AdminEndpoint>;

export type AdminEndpoints = typeof ADMIN_ENDPOINTS;
export type EndpointName = keyof AdminEndpoints;
