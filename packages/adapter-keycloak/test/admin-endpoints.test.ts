import { describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS, type AdminEndpoint } from '../src/admin-api/admin-endpoints.js';
import { KeycloakAdminApi, createdId, endpointPath } from '../src/admin-api/keycloak-admin-api.js';

const endpoints = Object.entries(ADMIN_ENDPOINTS) as [string, AdminEndpoint][];

describe("Keycloak's admin endpoints, as one table", () => {
  it('builds each path from its template, percent-encoding every parameter', () => {
    expect(
      endpointPath(ADMIN_ENDPOINTS['users.joinGroup'], { realm: 'a b/c', user: 'ü?#', group: '..' }),
    ).toBe('admin/realms/a%20b%2Fc/users/%C3%BC%3F%23/groups/..');
    expect(endpointPath(ADMIN_ENDPOINTS['realms.create'], {})).toBe('admin/realms');
  });

  it('refuses a call whose path parameter is missing or empty, before anything is sent', () => {
    expect(() => endpointPath(ADMIN_ENDPOINTS['users.get'], { realm: 'r' })).toThrow(/"user" is missing/);
    expect(() => endpointPath(ADMIN_ENDPOINTS['users.get'], { realm: 'r', user: '' })).toThrow(/"user"/);
  });

  it("takes a created thing's id from the last segment of Location, and names the call when there is none", () => {
    expect(createdId('http://kc/admin/realms/r/users/0b5f-11', 'create user')).toBe('0b5f-11');
    expect(() => createdId(undefined, 'create group')).toThrow(
      /create group: Keycloak sent no Location header/,
    );
  });

  it('validates the answer of every call that reads one, and reads a 404 as "absent" only where declared', () => {
    for (const [name, endpoint] of endpoints) {
      if (endpoint.method === 'GET') expect(typeof endpoint.answer, name).toBe('object'); // a schema
      if (endpoint.notFound) expect(endpoint.method, name).toBe('GET');
      if (endpoint.answer === 'created-id') expect(endpoint.method, name).toBe('POST');
      for (const param of endpoint.path.match(/\{(\w+)\}/g) ?? [])
        expect(
          [
            '{realm}',
            '{user}',
            '{group}',
            '{client}',
            '{role}',
            '{alias}',
            '{flow}',
            '{flowId}',
            '{execution}',
            '{config}',
            '{scope}',
            '{session}',
          ],
          `${name} ${param}`,
        ).toContain(param);
    }
  });

  it('types each call by its entry, and a call missing a path parameter sends nothing', async () => {
    const sent: string[] = [];
    const http = { admin: (method: string, path: string) => sent.push(`${method} ${path}`) };
    const api = new KeycloakAdminApi(http as unknown as ConstructorParameters<typeof KeycloakAdminApi>[0]);
    // @ts-expect-error: users.get needs the user's id (and refuses at run time too)
    await expect(api.call('users.get', { realm: 'r' })).rejects.toThrow(/"user" is missing/);
    expect(sent).toEqual([]);
    // Compile-time only (the typecheck of this file fails when the table stops typing the calls):
    const wrong = [
      // @ts-expect-error: users.delete takes no query
      () => api.call('users.delete', { realm: 'r', user: 'u', query: { max: 1 } }),
      // @ts-expect-error: users.update needs its body
      () => api.call('users.update', { realm: 'r', user: 'u' }),
      // @ts-expect-error: groups.list takes no "username" query parameter
      () => api.call('groups.list', { realm: 'r', query: { username: 'x' } }),
    ];
    expect(wrong).toHaveLength(3);
  });
});
