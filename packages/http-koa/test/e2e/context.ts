import { readFileSync } from 'node:fs';
import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import { call, infoXmlRoutes, type ExAppHarness } from '../exapp-harness.js';

export const REALM = 'commonground';

/** What the end-to-end modules share: one ExApp (with its Keycloak) for the whole file. */
export const e2e = {} as {
  h: ExAppHarness;
  idp: KeycloakIdentityProvider;
  kcHttp: KeycloakHttp;
  /** External mode: the admin client `keycloak connect` made (unset: the embedded one on the volume). */
  externalAdmin?: { clientId: string; clientSecret: string };
};

/** What `/heartbeat` says of Keycloak before and after init, in the file's mode. */
export const keycloakStates = () =>
  e2e.externalAdmin
    ? { beforeInit: 'external', afterInit: 'external' }
    : { beforeInit: 'stopped', afterInit: 'ready' };

export const token = (user: string, clientId: string, secret: string) =>
  call(e2e.h.url, 'POST', `/api/token?client_id=${clientId}`, {
    'x-nc-user-id': user,
    'x-api-secret': secret,
  });

/** An admin identity provider on the ExApp's Keycloak, with the ExApp's own admin credentials. */
export function idpFor(): KeycloakIdentityProvider {
  const admin =
    e2e.externalAdmin ??
    ({
      clientId: 'keycloak-exapp-admin',
      clientSecret: (
        JSON.parse(readFileSync(`${e2e.h.storage}/keycloak-exapp-secrets.json`, 'utf8')) as {
          keycloakAdminClientSecret: string;
        }
      ).keycloakAdminClientSecret,
    } as const);
  e2e.kcHttp = new KeycloakHttp({
    baseUrl: e2e.h.server.keycloakUrl,
    admin: { kind: 'client', clientId: admin.clientId, clientSecret: new Secret(admin.clientSecret) },
  });
  return new KeycloakIdentityProvider(e2e.kcHttp, REALM);
}

/** The routes Nextcloud registers from info.xml, as the fake's proxies use them. */
export function loadInfoXmlRoutes(): void {
  e2e.h.nc.exApp.routes = infoXmlRoutes();
}
