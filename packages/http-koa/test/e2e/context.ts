import { Secret } from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider } from '@keycloak-exapp/adapter-keycloak';
import { expect } from 'vitest';
import type { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { OPS_SECRET, call, exAppKeycloakAdmin, infoXmlRoutes, type ExAppHarness } from '../exapp-harness.js';

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
  const external = e2e.externalAdmin;
  e2e.kcHttp = external
    ? new KeycloakHttp({
        baseUrl: e2e.h.server.keycloakUrl,
        admin: {
          kind: 'client',
          clientId: external.clientId,
          clientSecret: new Secret(external.clientSecret),
        },
      })
    : exAppKeycloakAdmin(e2e.h);
  return new KeycloakIdentityProvider(e2e.kcHttp, REALM);
}

/** The routes Nextcloud registers from info.xml, as the fake's proxies use them. */
export function loadInfoXmlRoutes(): void {
  e2e.h.nc.exApp.routes = infoXmlRoutes();
}

/** The Nextcloud users every end-to-end file starts with. */
export function addE2eUsers(nc: FakeNextcloud): void {
  nc.addUser({
    id: 'alice',
    displayName: 'Alice Adams',
    email: 'alice@example.test',
    groups: ['staff', 'design'],
  });
  nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [] });
  nc.addUser({ id: 'Zoë', displayName: 'Zoë van der Berg', email: 'zoe@example.test', groups: ['staff'] });
  nc.addUser({ id: 'carol', displayName: 'Carol Clark', email: 'carol@example.test', groups: ['staff'] });
  nc.addUser({ id: 'dave', displayName: 'Dave Dijk', email: 'dave@example.test', groups: [] });
}

/** Starts a full sync job as the operations consumer and waits for its end; returns its status. */
export async function runSyncAllJob(): Promise<string> {
  const job = await call(e2e.h.url, 'POST', '/api/sync-all?async=1', { 'x-api-secret': OPS_SECRET });
  expect(job.status).toBe(202);
  let status = 'running';
  await expect
    .poll(
      async () => {
        status = (
          await call(e2e.h.url, 'GET', `/api/sync-all/jobs/${job.body.job_id}`, {
            'x-api-secret': OPS_SECRET,
          })
        ).body.status as string;
        return status;
      },
      { timeout: 60_000 },
    )
    .not.toBe('running');
  return status;
}

/** A confidential client's secret, read with the ExApp's admin credentials. */
export async function clientSecret(clientId: string): Promise<string> {
  const base = `admin/realms/${REALM}`;
  const [found] = JSON.parse(
    (await e2e.kcHttp.admin('GET', `${base}/clients`, { searchParams: { clientId }, what: 'client' })).body,
  ) as { id: string }[];
  return (
    JSON.parse(
      (await e2e.kcHttp.admin('GET', `${base}/clients/${found!.id}/client-secret`, { what: 's' })).body,
    ) as {
      value: string;
    }
  ).value;
}
