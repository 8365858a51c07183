// Sign in with Nextcloud in a real realm: the identity provider, its flows and the realm's browser
// flow, created once, left alone when an admin made them, and kept in line when the secret changes.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { realmHarness, uniqueRealm } from '@keycloak-exapp/test-support';

const server = inject('keycloakServers')[0]!;

describe('Keycloak adapter: sign in with Nextcloud in the realm', () => {
  const realm = uniqueRealm('sign-in');
  const h = realmHarness(server, realm);
  afterAll(() => h.deleteRealm());
  const endpoints = (secret: string) => ({
    authorizationUrl: 'https://cloud.example/exapps/keycloak/sign-in/authorize',
    tokenUrl: 'http://127.0.0.1:9/sign-in/token',
    userInfoUrl: 'http://127.0.0.1:9/sign-in/userinfo',
    clientId: 'keycloak-broker',
    clientSecret: new Secret(secret),
  });
  const get = async (path: string) =>
    JSON.parse((await h.http.admin('GET', `admin/realms/${realm}${path}`, { what: 't' })).body);

  it('makes the identity provider, a first-login flow that only links, and a browser flow that goes there by default; a second run changes nothing', async () => {
    const spec = await loadRealmFile(undefined, { realm, signInEndpoints: endpoints('a'.repeat(43)) });
    const first = await h.port.reconcileRealm(spec);
    expect(first.created).toEqual(
      expect.arrayContaining([
        'identity-provider:nextcloud',
        'flow:nextcloud first login',
        'flow:nextcloud browser',
      ]),
    );
    expect(first.updated).toContain('realm:browser-flow');
    const idp = await get('/identity-provider/instances/nextcloud');
    expect(idp).toMatchObject({
      providerId: 'oauth2',
      enabled: true,
      firstBrokerLoginFlowAlias: 'nextcloud first login',
      config: {
        pkceEnabled: 'true',
        pkceMethod: 'S256',
        userIDClaim: 'sub',
        syncMode: 'IMPORT',
        acceptsPromptNoneForwardFromClient: 'true',
      },
    });
    expect(idp.config.clientSecret).not.toBe('a'.repeat(43)); // Keycloak masks it
    const steps = await get('/authentication/flows/nextcloud%20first%20login/executions');
    expect(
      steps.map((e: { providerId: string; requirement: string }) => [e.providerId, e.requirement]),
    ).toEqual([
      ['idp-detect-existing-broker-user', 'REQUIRED'],
      ['idp-auto-link', 'REQUIRED'],
    ]);
    expect((await get('')).browserFlow).toBe('nextcloud browser');
    // Every login goes to Nextcloud: no SSO-cookie shortcut, the redirector straight to it.
    const browserSteps = (await get('/authentication/flows/nextcloud%20browser/executions')) as {
      providerId?: string;
      requirement: string;
      level: number;
    }[];
    expect(browserSteps.find((e) => e.providerId === 'auth-cookie')?.requirement).toBe('DISABLED');
    expect(browserSteps.find((e) => e.providerId === 'identity-provider-redirector')?.requirement).toBe(
      'ALTERNATIVE',
    );

    const second = await h.port.reconcileRealm(spec);
    expect([...second.created, ...second.updated, ...second.drift]).toEqual([]);

    // Another secret (a new volume) reaches the identity provider.
    const rotated = await h.port.reconcileRealm(
      await loadRealmFile(undefined, { realm, signInEndpoints: endpoints('b'.repeat(43)) }),
    );
    expect(rotated.updated).toEqual(['identity-provider:nextcloud']);
  });

  it('reports an identity provider an admin made under the alias as drift and leaves it alone', async () => {
    const other = uniqueRealm('sign-in-drift');
    const d = realmHarness(server, other);
    try {
      await d.port.reconcileRealm(await loadRealmFile(undefined, { realm: other }));
      await d.http.admin('POST', `admin/realms/${other}/identity-provider/instances`, {
        json: {
          alias: 'nextcloud',
          providerId: 'oauth2',
          config: {
            clientId: 'by-hand',
            clientSecret: 'by-hand-secret',
            authorizationUrl: 'https://idp.example/authorize',
            tokenUrl: 'https://idp.example/token',
            userInfoUrl: 'https://idp.example/userinfo',
          },
        },
        what: 't',
      });
      const report = await d.port.reconcileRealm(
        await loadRealmFile(undefined, { realm: other, signInEndpoints: endpoints('a'.repeat(43)) }),
      );
      expect(report.drift).toContain('identity-provider:nextcloud');
      const kept = JSON.parse(
        (
          await d.http.admin('GET', `admin/realms/${other}/identity-provider/instances/nextcloud`, {
            what: 't',
          })
        ).body,
      );
      expect(kept.config.clientId).toBe('by-hand');
    } finally {
      await d.deleteRealm();
    }
  });
});
