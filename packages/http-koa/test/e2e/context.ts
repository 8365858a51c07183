import { readFileSync } from 'node:fs';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import { call, infoXmlRoutes, type ExAppHarness } from '../exapp-harness.js';

export const REALM = 'commonground';

/** What the end-to-end modules share: one ExApp (with its Keycloak) for the whole file. */
export const e2e = {} as { h: ExAppHarness; idp: KeycloakIdentityProvider; kcHttp: KeycloakHttp };

export const token = (user: string, clientId: string, secret: string) =>
  call(e2e.h.url, 'POST', `/api/token?client_id=${clientId}`, {
    'x-nc-user-id': user,
    'x-api-secret': secret,
  });

/** An admin identity provider on the ExApp's embedded Keycloak (credentials from its volume). */
export function idpFor(): KeycloakIdentityProvider {
  const secrets = JSON.parse(readFileSync(`${e2e.h.storage}/keycloak-exapp-secrets.json`, 'utf8')) as {
    keycloakAdminClientSecret: string;
  };
  e2e.kcHttp = new KeycloakHttp({
    baseUrl: e2e.h.server.keycloakUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(secrets.keycloakAdminClientSecret),
    },
  });
  return new KeycloakIdentityProvider(e2e.kcHttp, REALM);
}

/** The routes Nextcloud registers from info.xml, as the fake's proxies use them. */
export function loadInfoXmlRoutes(): void {
  e2e.h.nc.exApp.routes = infoXmlRoutes();
}
