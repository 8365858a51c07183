// The world of the consumer-token tests: the fake Nextcloud with two consumer ExApps beside ours
// (Valtimo behind HaRP, Open Zaak behind the classic proxy), each receiving Keycloak's back-channel
// logout tokens; the ExApp on the shipped realm file plus Valtimo's roles; and the calls a
// consumer makes at Keycloak (refresh with its secret, Standard Token Exchange).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { startBackchannelLogoutReceiver, type BackchannelLogoutReceiver } from '@keycloak-exapp/test-support';
import { OPS_SECRET, REPO_ROOT, infoXmlRoutes, startExApp } from '../exapp-harness.js';
import { REALM, addE2eUsers, clientSecret, e2e, idpFor, token } from './context.js';

export const ops = { 'x-api-secret': OPS_SECRET, 'content-type': 'application/json' };
const LOGOUT_ROUTE = { url: '^\\/?backchannel-logout$', verb: 'POST', accessLevel: 'PUBLIC' as const };
let dir: string;
let tokenEndpoint: string;

/** What the tests read: the fake Nextcloud, the issuer consumers use, receivers and client secrets. */
export const world = {
  receivers: {} as Record<'valtimo' | 'openzaak', BackchannelLogoutReceiver>,
  secrets: {} as Record<'valtimo' | 'openzaak' | 'openklant', string>,
} as {
  nc: FakeNextcloud;
  issuer: string;
  receivers: Record<'valtimo' | 'openzaak', BackchannelLogoutReceiver>;
  secrets: Record<'valtimo' | 'openzaak' | 'openklant', string>;
};

/** The shipped realm file with Valtimo's roles, given by Nextcloud groups, as an admin would add. */
async function realmFileWithValtimoRoles(): Promise<string> {
  const file = JSON.parse(
    await readFile(join(REPO_ROOT, 'packages/adapter-keycloak/realm/commonground.realm.json'), 'utf8'),
  ) as { clients: { clientId: string; roles?: string[] }[]; groupRoles: unknown[] };
  file.clients.find((c) => c.clientId === 'valtimo')!.roles = ['ROLE_USER', 'ROLE_ADMIN'];
  file.groupRoles.push(
    { group: 'staff', clientRoles: { valtimo: ['ROLE_USER'] } },
    { group: 'admin', clientRoles: { valtimo: ['ROLE_ADMIN'] } },
  );
  const path = join(dir, 'realm.json');
  await writeFile(path, JSON.stringify(file));
  return path;
}

export async function setUpConsumerWorld(): Promise<void> {
  dir = await mkdtemp(join(tmpdir(), 'consumer-tokens-'));
  const nc = (world.nc = await new FakeNextcloud({ admins: ['admin'] }).start());
  const issuer = (world.issuer = `${nc.url}/exapps/${nc.exApp.appId}/realms/${REALM}`);
  // Two consumer ExApps beside ours, each with a PUBLIC route for Keycloak's logout tokens.
  for (const [clientId, appSecret] of [
    ['valtimo', 'valtimo-exapp-secret-0123456789abcdef0123'],
    ['openzaak', 'openzaak-exapp-secret-0123456789abcdef012'],
  ] as const) {
    world.receivers[clientId] = await startBackchannelLogoutReceiver({
      issuer,
      jwksUrl: `${issuer}/protocol/openid-connect/certs`,
      clientId,
      appSecret,
    });
    nc.deployExApp({
      appId: clientId,
      secret: appSecret,
      routes: [LOGOUT_ROUTE],
      target: { url: world.receivers[clientId].url },
    });
  }
  e2e.h = await startExApp(
    {
      KEYCLOAK_REALM_FILE: await realmFileWithValtimoRoles(),
      // An operator's own Keycloak settings: its event log at debug, and a build-time feature
      // (the tests read both back from Keycloak's log).
      KC_LOG_LEVEL: 'INFO,org.keycloak.events:DEBUG',
      KC_FEATURES: 'client-secret-rotation',
      KEYCLOAK_BACKCHANNEL_LOGOUT_URLS: JSON.stringify({
        valtimo: `${nc.url}/exapps/valtimo/backchannel-logout`,
        openzaak: `${nc.url}/index.php/apps/app_api/proxy/openzaak/backchannel-logout`,
      }),
      KEYCLOAK_API_CONSUMERS: JSON.stringify([
        {
          name: 'operations',
          secret: OPS_SECRET,
          clientIds: ['opentalk', 'valtimo', 'openzaak', 'openklant'],
          operations: ['token', 'sync', 'delete'],
        },
      ]),
    },
    { nc },
  );
  nc.exApp.routes = infoXmlRoutes();
  addE2eUsers(nc);
  const { error } = await nc.appApi.install({ timeoutMs: 480_000 });
  expect(error).toBe('');
  e2e.idp = idpFor();
  tokenEndpoint = `${e2e.h.server.keycloakUrl}/realms/${REALM}/protocol/openid-connect/token`;
  for (const clientId of ['valtimo', 'openzaak', 'openklant'] as const)
    world.secrets[clientId] = await clientSecret(clientId);
}

export async function tearDownConsumerWorld(): Promise<void> {
  await e2e.h?.dispose();
  await world.nc?.stop();
  for (const receiver of Object.values(world.receivers)) await receiver.stop();
  await rm(dir, { recursive: true, force: true });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
}

export async function apiToken(user: string, clientId: string): Promise<Tokens> {
  const res = await token(user, clientId, OPS_SECRET);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Tokens;
}

export async function keycloakGrant(
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A confidential consumer's refresh, with its secret (what `refresh_with: client_secret` says). */
export async function refreshed(clientId: 'valtimo' | 'openzaak', tokens: Tokens): Promise<Tokens> {
  const res = await keycloakGrant({
    grant_type: 'refresh_token',
    client_id: clientId,
    client_secret: world.secrets[clientId],
    refresh_token: tokens.refresh_token,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as unknown as Tokens;
}

/** Standard Token Exchange (RFC 8693) at Keycloak: `requester` exchanges for `audience`. */
export function exchange(
  requester: 'valtimo' | 'openzaak' | 'openklant',
  subjectToken: string,
  audience: string,
) {
  return keycloakGrant({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    client_id: requester,
    client_secret: world.secrets[requester],
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    scope: `openid audience-${audience}`,
    audience,
  });
}
