import { afterAll, describe, expect, inject, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import {
  KeycloakHttp,
  KeycloakIdentityProvider,
  MANAGED_MARKER,
  loadRealmFile,
} from '@keycloak-exapp/adapter-keycloak';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

const server = inject('keycloakServers')[0]!;

describe('Keycloak adapter against the real server: realm bootstrap', () => {
  const realm = uniqueRealm('bootstrap');
  const h = realmHarness(server, realm);
  afterAll(() => h.deleteRealm());

  it('creates the shipped realm, its user profile, roles and clients, then changes nothing on a second run', async () => {
    const spec = await loadRealmFile(undefined, {
      realm,
      redirectUris: { opentalk: ['https://talk.example.test/*'] },
    });
    const first = await h.port.reconcileRealm(spec);
    expect(first.created).toEqual(
      expect.arrayContaining([
        `realm:${realm}`,
        'role:commonground-user',
        'client:opentalk',
        'client:nextcloud',
        'client:valtimo',
      ]),
    );
    // The user profile, each client's realm-role scope (no full scope), the declared token-exchange
    // pairs, every user's default role, and Nextcloud's admins' role through their group.
    expect(first.updated).toEqual([
      'user-profile',
      'role-scope:opentalk',
      'role-scope:opentalk-controller',
      'role-scope:openzaak',
      'exchange:openzaak->valtimo',
      'role-scope:openklant',
      'role-scope:valtimo',
      'exchange:valtimo->openzaak',
      'role-scope:nextcloud',
      'default-roles',
      'group-roles:admin',
    ]);
    const second = await h.port.reconcileRealm(spec);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.drift).toEqual([]);

    const clients = JSON.parse(
      (
        await h.http.admin('GET', `admin/realms/${realm}/clients`, {
          searchParams: { clientId: 'opentalk' },
          what: 't',
        })
      ).body,
    );
    expect(clients[0]).toMatchObject({
      publicClient: true,
      directAccessGrantsEnabled: true,
      fullScopeAllowed: false,
      redirectUris: ['https://talk.example.test/*'],
      webOrigins: ['https://talk.example.test'],
      attributes: { 'standard.token.exchange.enabled': 'false' },
    });
    const [openzaak] = JSON.parse(
      (
        await h.http.admin('GET', `admin/realms/${realm}/clients`, {
          searchParams: { clientId: 'openzaak' },
          what: 't',
        })
      ).body,
    );
    expect(openzaak.attributes['standard.token.exchange.enabled']).toBe('true');
    const optional = JSON.parse(
      (
        await h.http.admin('GET', `admin/realms/${realm}/clients/${openzaak.id}/optional-client-scopes`, {
          what: 't',
        })
      ).body,
    ) as { name: string }[];
    expect(optional.map((o) => o.name)).toContain('audience-valtimo');
    const profile = JSON.parse(
      (await h.http.admin('GET', `admin/realms/${realm}/users/profile`, { what: 't' })).body,
    );
    const names = profile.attributes.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['nextcloud_id', 'nextcloud_password_key']));
    const lastName = profile.attributes.find((a: { name: string }) => a.name === 'lastName');
    expect(lastName.required).toBeUndefined();
  });

  it('reports a client an admin made by hand as drift and leaves it alone', async () => {
    const other = uniqueRealm('drift');
    const d = realmHarness(server, other);
    try {
      const spec = await loadRealmFile(undefined, { realm: other });
      await d.http.admin('POST', 'admin/realms', {
        json: { realm: other, enabled: true },
        what: 't',
        timeoutMs: 180_000,
      });
      await d.http.admin('POST', `admin/realms/${other}/clients`, {
        json: {
          clientId: 'valtimo',
          publicClient: true,
          directAccessGrantsEnabled: false,
          redirectUris: ['https://mine.example.test/*'],
        },
        what: 't',
      });
      const report = await d.port.reconcileRealm(spec);
      expect(report.drift).toEqual(expect.arrayContaining([`realm:${other}`, 'client:valtimo']));
      const clients = JSON.parse(
        (
          await d.http.admin('GET', `admin/realms/${other}/clients`, {
            searchParams: { clientId: 'valtimo' },
            what: 't',
          })
        ).body,
      );
      expect(clients[0]).toMatchObject({ publicClient: true, redirectUris: ['https://mine.example.test/*'] });
      expect(clients[0].attributes?.[MANAGED_MARKER]).toBeUndefined();
    } finally {
      await d.deleteRealm();
    }
  });

  it('gives tokens whose ID token carries names, e-mail and both group claims; no e-mail and one name still log in', async () => {
    const spec = await loadRealmFile(undefined, { realm });
    await h.port.reconcileRealm(spec);
    const { toManagedUserSpec } = await import('@keycloak-exapp/core');
    const user = await h.port.createUser(
      await toManagedUserSpec({
        id: 'Zoë',
        displayName: 'Zoë van der Berg',
        email: 'zoe@example.test',
        enabled: true,
        groups: ['staff', 'design'],
      }),
    );
    const solo = await h.port.createUser(
      await toManagedUserSpec({ id: 'solo', displayName: 'Solo', email: null, enabled: true, groups: [] }),
    );
    const password = new Secret('Another-Long-Password-123');
    await h.port.setPassword(user.id, password, 'k');
    await h.port.setPassword(solo.id, password, 'k');
    const tokens = await h.port.passwordGrant({
      clientId: 'opentalk',
      username: user.username,
      password,
      scope: 'openid profile email',
    });
    const claims = JSON.parse(Buffer.from(tokens.idToken!.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      email: 'zoe@example.test',
      given_name: 'Zoë',
      family_name: 'van der Berg',
      groups: ['design', 'staff'],
      x_grp: ['design', 'staff'],
    });
    // A confidential client: the adapter reads its generated secret itself.
    await expect(
      h.port.passwordGrant({ clientId: 'valtimo', username: solo.username, password, scope: 'openid' }),
    ).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('gives every user commonground-user, Nextcloud admins commonground-admin and group members the client roles their group maps to; the roles go with the membership', async () => {
    const shipped = await loadRealmFile(undefined, { realm });
    // Valtimo's own roles, and a Nextcloud group that gives one of them.
    const spec = {
      ...shipped,
      clients: shipped.clients.map((c) =>
        c.clientId === 'valtimo' ? { ...c, roles: ['ROLE_USER', 'ROLE_ADMIN'] } : c,
      ),
      groupRoles: [
        ...(shipped.groupRoles ?? []),
        { group: 'case-managers', realmRoles: [], clientRoles: { valtimo: ['ROLE_ADMIN'] } },
      ],
    };
    const report = await h.port.reconcileRealm(spec);
    expect(report.updated).toEqual(
      expect.arrayContaining(['client-roles:valtimo', 'group-roles:case-managers']),
    );
    const { toManagedUserSpec } = await import('@keycloak-exapp/core');
    const make = async (id: string, groups: string[]) => {
      const user = await h.port.createUser(
        await toManagedUserSpec({ id, displayName: id, email: null, enabled: true, groups }),
      );
      await h.port.setPassword(user.id, new Secret('Roles-Long-Password-123'), 'k');
      return user;
    };
    const claims = async (username: string) => {
      const tokens = await h.port.passwordGrant({
        clientId: 'valtimo',
        username,
        password: new Secret('Roles-Long-Password-123'),
        scope: 'openid',
      });
      return JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString()) as {
        realm_access?: { roles: string[] };
        resource_access?: Record<string, { roles: string[] }>;
      };
    };
    const admin = await make('roles-admin', ['admin', 'case-managers']);
    const plain = await make('roles-plain', []);
    const adminClaims = await claims(admin.username);
    expect(adminClaims.realm_access?.roles).toEqual(
      expect.arrayContaining(['commonground-user', 'commonground-admin']),
    );
    expect(adminClaims.resource_access?.valtimo?.roles).toEqual(['ROLE_ADMIN']);
    const plainClaims = await claims(plain.username);
    expect(plainClaims.realm_access?.roles).toContain('commonground-user');
    expect(plainClaims.realm_access?.roles).not.toContain('commonground-admin');
    expect(plainClaims.resource_access?.valtimo).toBeUndefined();
    // Out of both groups (as the sync does when Nextcloud says so): the roles go with them.
    await h.port.updateUser(
      admin.id,
      await toManagedUserSpec({
        id: 'roles-admin',
        displayName: 'roles-admin',
        email: null,
        enabled: true,
        groups: [],
      }),
    );
    const after = await claims(admin.username);
    expect(after.realm_access?.roles).not.toContain('commonground-admin');
    expect(after.resource_access?.valtimo).toBeUndefined();
    const again = await h.port.reconcileRealm(spec);
    expect([...again.created, ...again.updated, ...again.drift]).toEqual([]);
  });

  it('puts each client in its access tokens’ audience, and the clients it declares it calls', async () => {
    const shipped = await loadRealmFile(undefined, { realm });
    // Valtimo declares that it calls Open Zaak with its users' tokens.
    const spec = {
      ...shipped,
      clients: shipped.clients.map((c) => (c.clientId === 'valtimo' ? { ...c, audiences: ['openzaak'] } : c)),
    };
    const report = await h.port.reconcileRealm(spec);
    expect(report.updated).toEqual(['client:valtimo']);
    const user = await h.port.createUser(
      await (
        await import('@keycloak-exapp/core')
      ).toManagedUserSpec({ id: 'aud-user', displayName: 'Aud', email: null, enabled: true, groups: [] }),
    );
    const password = new Secret('Audience-Long-Password-123');
    await h.port.setPassword(user.id, password, 'k');
    const audience = async (clientId: string) => {
      const tokens = await h.port.passwordGrant({
        clientId,
        username: user.username,
        password,
        scope: 'openid',
      });
      const { aud } = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString()) as {
        aud?: string | string[];
      };
      return [aud ?? []].flat().sort();
    };
    expect(await audience('opentalk')).toContain('opentalk');
    expect(await audience('opentalk')).not.toContain('valtimo');
    expect(await audience('valtimo')).toEqual(expect.arrayContaining(['openzaak', 'valtimo']));
    // Nothing left to do on the next run.
    const again = await h.port.reconcileRealm(spec);
    expect([...again.created, ...again.updated, ...again.drift]).toEqual([]);
  });
});

describe('Keycloak adapter: two servers on one realm share its runtime account', () => {
  const realm = uniqueRealm('two-servers');
  const h = realmHarness(server, realm);
  afterAll(() => h.deleteRealm());
  const CLIENT = 'keycloak-exapp-runtime';

  /** A server as the composition builds it: runs as the runtime account, reconciles as setup. */
  function serverOn(volumeSecret: string) {
    const kept: string[] = [];
    const runtime = new KeycloakHttp({
      baseUrl: server.baseUrl,
      admin: { kind: 'client', clientId: CLIENT, clientSecret: new Secret(volumeSecret), realm },
    });
    const port = new KeycloakIdentityProvider(runtime, realm, {
      setup: {
        http: h.http,
        runtimeAccount: {
          clientId: CLIENT,
          secret: new Secret(volumeSecret),
          keep: (secret) => {
            kept.push(secret.reveal());
            return Promise.resolve();
          },
        },
      },
    });
    /** A call only the runtime account makes (its token is fetched afresh each time). */
    const listUsers = async () => {
      for await (const page of port.listManagedUsers()) expect(page).toBeInstanceOf(Array);
      return 'ok';
    };
    return { port, runtime, kept, listUsers };
  }

  it('the second server adopts the secret the first made, so neither locks the other out', async () => {
    const spec = await loadRealmFile(undefined, { realm });
    const first = serverOn('a'.repeat(43));
    const second = serverOn('b'.repeat(43));
    await first.port.reconcileRealm(spec);
    expect(first.kept).toEqual([]);
    await expect(first.listUsers()).resolves.toBe('ok');

    await second.port.reconcileRealm(spec);
    expect(second.kept).toEqual(['a'.repeat(43)]);
    // The first server fetches a fresh token with the secret on its volume: still accepted.
    first.runtime.useClientSecret(new Secret('a'.repeat(43)));
    await expect(first.listUsers()).resolves.toBe('ok');
    await expect(second.listUsers()).resolves.toBe('ok');
    // The volume's secret of the second server is rejected by the realm: it really adopted.
    const stale = new KeycloakHttp({
      baseUrl: server.baseUrl,
      admin: { kind: 'client', clientId: CLIENT, clientSecret: new Secret('b'.repeat(43)), realm },
    });
    await expect(stale.adminAccessToken()).rejects.toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED' });
  });

  it('a secret an admin regenerated in Keycloak is adopted at the next reconcile', async () => {
    const spec = await loadRealmFile(undefined, { realm });
    const s = serverOn('a'.repeat(43));
    const [client] = JSON.parse(
      (
        await h.http.admin('GET', `admin/realms/${realm}/clients`, {
          searchParams: { clientId: CLIENT },
          what: 't',
        })
      ).body,
    ) as { id: string }[];
    const regenerated = JSON.parse(
      (await h.http.admin('POST', `admin/realms/${realm}/clients/${client!.id}/client-secret`, { what: 't' }))
        .body,
    ) as { value: string };
    await expect(s.listUsers()).rejects.toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED' });
    await s.port.reconcileRealm(spec);
    expect(s.kept).toEqual([regenerated.value]);
    await expect(s.listUsers()).resolves.toBe('ok');
  });
});
