// What the consumers get from the tokens, checked with their own libraries (issue 27): Spring
// Security's JWT decoder (Valtimo), mozilla-django-oidc (Open Zaak, Open Klant) and the
// `openidconnect` crate (OpenTalk's controller), each on tokens from /api/token, after a refresh and
// after a token exchange where it applies; back-channel logout reaching two consumer ExApps through
// the fake Nextcloud's proxies (Valtimo behind HaRP, Open Zaak behind the classic proxy) when a user
// is disabled and when one is deleted (the set-up: e2e/consumer-world.ts). Real Keycloak (the
// embedded one), run on 26.7.3 and 26.5.6.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { DerivedPasswordVault, Secret } from '@keycloak-exapp/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { djangoVerify, openidconnectVerify, springDecode } from '@keycloak-exapp/test-support';
import { call } from './exapp-harness.js';
import { REALM, e2e } from './e2e/context.js';
import {
  apiToken,
  exchange,
  keycloakGrant,
  ops,
  refreshed,
  setUpConsumerWorld,
  tearDownConsumerWorld,
  world,
} from './e2e/consumer-world.js';

const { receivers, secrets } = world;
let nc: typeof world.nc;
let issuer: string;

beforeAll(async () => {
  await setUpConsumerWorld();
  ({ nc, issuer } = world);
}, 600_000);
afterAll(tearDownConsumerWorld);

describe("what each client's tokens carry", () => {
  it('names the client alone as audience, with the realm roles, its own roles and the Nextcloud groups', async () => {
    for (const clientId of ['opentalk', 'openzaak', 'openklant', 'valtimo']) {
      const tokens = await apiToken('alice', clientId);
      const access = decodeJwt(tokens.access_token);
      const id = decodeJwt(tokens.id_token);
      if (process.env.PRINT_CONSUMER_TOKENS) console.info(JSON.stringify({ clientId, access, id }));
      expect(access, clientId).toMatchObject({ iss: issuer, azp: clientId, preferred_username: 'alice' });
      expect([access.aud].flat(), clientId).toEqual([clientId]);
      expect(id.aud, clientId).toBe(clientId);
      expect((access.realm_access as { roles: string[] }).roles.sort(), clientId).toEqual([
        'commonground-user',
        'offline_access',
      ]);
      expect(Object.keys((access.resource_access as object | undefined) ?? {}), clientId).toEqual(
        clientId === 'valtimo' ? ['valtimo'] : [],
      );
      expect(id.groups, clientId).toEqual(['design', 'staff']);
    }
  });
});

describe("the operator's Keycloak settings", () => {
  it('reach the embedded Keycloak: KC_LOG_LEVEL turns its event log on, and its lines show in the ExApp log', async () => {
    await apiToken('carol', 'openklant');
    await expect
      .poll(
        () =>
          e2e.h
            .logs()
            .split('\n')
            .filter((l) => l.includes('"kcLogger":"org.keycloak.events"')).length,
      )
      .toBeGreaterThan(0);
  });

  it('KC_FEATURES is built in (a build-time option): Keycloak starts with the preview feature on', () => {
    const profile = e2e.h
      .logs()
      .split('\n')
      .filter((l) => l.includes('"kcLogger":"org.keycloak.common.Profile"'));
    expect(profile.join('\n')).toMatch(/Preview features enabled: [^"]*client-secret-rotation/);
  });
});

describe("Valtimo's side: Spring Security's JWT decoder with audience validation", () => {
  it('accepts valtimo access tokens with the roles Valtimo reads, from /api/token and after a refresh', async () => {
    const alice = await apiToken('alice', 'valtimo');
    const admin = await apiToken('admin', 'valtimo');
    const [fresh, again, ofAdmin] = await springDecode(issuer, [
      { name: 'alice', token: alice.access_token, audience: 'valtimo' },
      {
        name: 'alice refreshed',
        token: (await refreshed('valtimo', alice)).access_token,
        audience: 'valtimo',
      },
      { name: 'admin', token: admin.access_token, audience: 'valtimo' },
    ]);
    for (const verdict of [fresh, again]) {
      expect(verdict, verdict!.error).toMatchObject({ accepted: true, azp: 'valtimo' });
      expect(verdict!.aud).toContain('valtimo');
      expect(verdict!.authorities).toEqual(expect.arrayContaining(['ROLE_commonground-user', 'ROLE_USER']));
      expect(verdict!.authorities).not.toContain('ROLE_ADMIN');
    }
    expect(ofAdmin!.authorities).toEqual(
      expect.arrayContaining(['ROLE_commonground-user', 'ROLE_commonground-admin', 'ROLE_ADMIN']),
    );
  });

  it("refuses other clients' access tokens, an admin's included (whose Valtimo roles must not make Valtimo their audience)", async () => {
    const verdicts = await springDecode(issuer, [
      { name: 'openzaak', token: (await apiToken('alice', 'openzaak')).access_token, audience: 'valtimo' },
      { name: 'opentalk', token: (await apiToken('alice', 'opentalk')).access_token, audience: 'valtimo' },
      {
        name: 'openzaak of admin',
        token: (await apiToken('admin', 'openzaak')).access_token,
        audience: 'valtimo',
      },
    ]);
    for (const verdict of verdicts) {
      expect(verdict.accepted, verdict.name).toBe(false);
      expect(verdict.error, verdict.name).toMatch(/aud/);
    }
  });

  it('accepts a token Open Zaak exchanged for Valtimo (a declared pair), with the roles the user holds there', async () => {
    const subject = await apiToken('alice', 'openzaak');
    const exchanged = await exchange('openzaak', subject.access_token, 'valtimo');
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    expect(decodeJwt(exchanged.body.access_token!)).toMatchObject({ azp: 'openzaak', aud: 'valtimo' });
    const [verdict] = await springDecode(issuer, [
      { name: 'exchanged', token: exchanged.body.access_token!, audience: 'valtimo' },
    ]);
    expect(verdict, verdict!.error).toMatchObject({ accepted: true, aud: ['valtimo'] });
    expect(verdict!.authorities).toContain('ROLE_USER');
  });
});

describe('Standard Token Exchange: only declared pairs, only enabled users', () => {
  it('refuses a pair the realm file does not declare, either way round', async () => {
    const undeclaredTarget = await exchange(
      'openzaak',
      (await apiToken('carol', 'openzaak')).access_token,
      'openklant',
    );
    expect(undeclaredTarget.status).toBe(400);
    const notARequester = await exchange(
      'openklant',
      (await apiToken('carol', 'openklant')).access_token,
      'valtimo',
    );
    expect([400, 403]).toContain(notARequester.status);
    for (const res of [undeclaredTarget, notARequester]) expect(res.body.access_token).toBeUndefined();
  });

  it('refuses a user Nextcloud disabled once the ExApp knows (sync or token time): their session is gone', async () => {
    nc.addUser({ id: 'erik', displayName: 'Erik Ek', email: 'erik@example.test', groups: ['staff'] });
    const subject = await apiToken('erik', 'openzaak');
    expect((await exchange('openzaak', subject.access_token, 'valtimo')).status).toBe(200);
    nc.users.put({ id: 'erik', enabled: false });
    const sync = await call(e2e.h.url, 'POST', '/api/sync-user', ops, JSON.stringify({ user_id: 'erik' }));
    expect(sync.status).toBe(200);
    const refused = await exchange('openzaak', subject.access_token, 'valtimo');
    expect(refused.status).toBe(400);
    expect(refused.body.access_token).toBeUndefined();
  });
});

describe("Open Zaak's and Open Klant's side: mozilla-django-oidc", () => {
  it('verifies the ID token and reads userinfo, from /api/token and after a refresh', async () => {
    nc.addUser({ id: 'femke', displayName: 'Femke Fokker', email: 'femke@example.test', groups: ['staff'] });
    const femke = await apiToken('femke', 'openzaak');
    const again = await refreshed('openzaak', femke);
    expect(again.id_token).toBeTypeOf('string');
    const verdicts = await djangoVerify({ issuer, clientId: 'openzaak', clientSecret: secrets.openzaak }, [
      { name: 'from /api/token', id_token: femke.id_token, access_token: femke.access_token },
      { name: 'after a refresh', id_token: again.id_token, access_token: again.access_token },
    ]);
    for (const verdict of verdicts) {
      expect(verdict, verdict.error).toMatchObject({ accepted: true, aud: 'openzaak' });
      expect(verdict.userinfo).toMatchObject({
        preferred_username: 'femke',
        email: 'femke@example.test',
        groups: ['staff'],
      });
    }
  });
});

describe("Open Zaak's API: mozilla-django-oidc's DRF authentication on a token Valtimo exchanged for it", () => {
  it('reads the user from userinfo with the exchanged token alone', async () => {
    const subject = await apiToken('alice', 'valtimo');
    const exchanged = await exchange('valtimo', subject.access_token, 'openzaak');
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
    expect(decodeJwt(exchanged.body.access_token!)).toMatchObject({ azp: 'valtimo', aud: 'openzaak' });
    const [verdict] = await djangoVerify({ issuer, clientId: 'openzaak', clientSecret: secrets.openzaak }, [
      { name: 'exchanged by valtimo', access_token: exchanged.body.access_token! },
    ]);
    expect(verdict, verdict!.error).toMatchObject({
      accepted: true,
      sub: decodeJwt(subject.access_token).sub,
      userinfo: { preferred_username: 'alice', email: 'alice@example.test' },
    });
    // And the session it came from still refreshes with an ID token (the exchange asked for `openid`).
    expect((await refreshed('valtimo', subject)).id_token).toBeTypeOf('string');
  });
});

describe("OpenTalk's controller side: the openidconnect crate", () => {
  it("verifies opentalk's ID tokens (from /api/token and after a refresh) and refuses one issued to openzaak", async () => {
    const talk = await apiToken('alice', 'opentalk');
    const again = await keycloakGrant({
      grant_type: 'refresh_token',
      client_id: 'opentalk',
      refresh_token: talk.refresh_token,
    });
    expect(again.status).toBe(200);
    const zaak = await apiToken('alice', 'openzaak');
    const [fresh, renewed, foreign] = await openidconnectVerify(issuer, [
      { name: 'opentalk', client_id: 'opentalk', id_token: talk.id_token },
      { name: 'opentalk refreshed', client_id: 'opentalk', id_token: again.body.id_token! },
      { name: 'openzaak', client_id: 'opentalk', id_token: zaak.id_token },
    ]);
    const sub = decodeJwt(talk.access_token).sub;
    for (const verdict of [fresh, renewed])
      expect(verdict, verdict!.error).toMatchObject({
        accepted: true,
        sub,
        aud: ['opentalk'],
        preferred_username: 'alice',
      });
    expect(foreign).toMatchObject({ accepted: false });
    expect(foreign!.error).toMatch(/audience|aud/i);
  });
});

describe('back-channel logout: deprovisioning reaches the consumers through the proxies', () => {
  /** Sessions at both consumers (their ID tokens' `sid`), then the logout tokens they received. */
  async function sessionsEndedBy(user: string, deprovision: () => Promise<void>) {
    const before = {
      valtimo: receivers.valtimo.received.length,
      openzaak: receivers.openzaak.received.length,
    };
    const held = { valtimo: await apiToken(user, 'valtimo'), openzaak: await apiToken(user, 'openzaak') };
    await deprovision();
    for (const clientId of ['valtimo', 'openzaak'] as const) {
      const { sid, sub } = decodeJwt(held[clientId].id_token) as { sid: string; sub: string };
      await expect
        .poll(() => receivers[clientId].received.length, { timeout: 10_000 })
        .toBeGreaterThan(before[clientId]);
      const got = receivers[clientId].received.slice(before[clientId]);
      expect(got, clientId).toHaveLength(1);
      expect(got[0], got[0]!.error).toMatchObject({ signedByProxy: true, valid: true });
      expect(got[0]!.claims).toMatchObject({ iss: issuer, aud: clientId, sub, sid });
      expect(got[0]!.claims).not.toHaveProperty('nonce');
      // The session the consumer held is over: its refresh token no longer works.
      const refresh = await keycloakGrant({
        grant_type: 'refresh_token',
        client_id: clientId,
        client_secret: secrets[clientId],
        refresh_token: held[clientId].refresh_token,
      });
      expect(refresh.status, clientId).toBe(400);
    }
  }

  it('sends a valid logout token to each consumer holding a session of a user Nextcloud disabled', async () => {
    await sessionsEndedBy('carol', async () => {
      nc.users.put({ id: 'carol', enabled: false });
      const res = await call(e2e.h.url, 'POST', '/api/sync-user', ops, JSON.stringify({ user_id: 'carol' }));
      expect(res.status).toBe(200);
      expect(await e2e.idp.findUserByNextcloudId('carol')).toMatchObject({ enabled: false });
    });
  });

  it('sends a valid logout token to each consumer holding a session of a user deleted', async () => {
    await sessionsEndedBy('dave', async () => {
      nc.users.remove('dave');
      const res = await call(e2e.h.url, 'POST', '/api/delete-user', ops, JSON.stringify({ user_id: 'dave' }));
      expect(res.status).toBe(200);
      expect(await e2e.idp.findUserByNextcloudId('dave')).toBeUndefined();
    });
  });

  it('reaches every session a user holds at one consumer (two sessions at Valtimo: two logout tokens, one per sid)', async () => {
    nc.addUser({ id: 'gert', displayName: 'Gert Geel', email: 'gert@example.test', groups: ['staff'] });
    const first = await apiToken('gert', 'valtimo');
    // A second session at the same client: the user's own password grant (the derived password).
    const stored = JSON.parse(await readFile(join(e2e.h.storage, 'keycloak-exapp-secrets.json'), 'utf8')) as {
      passwordKey: string;
    };
    const vault = await DerivedPasswordVault.fromKey(new Secret(stored.passwordKey));
    const second = await keycloakGrant({
      grant_type: 'password',
      client_id: 'valtimo',
      client_secret: secrets.valtimo,
      username: 'gert',
      password: (await vault.passwordFor(REALM, 'gert')).reveal(),
      scope: 'openid',
    });
    expect(second.status).toBe(200);
    const sids = [first.id_token, second.body.id_token!].map((t) => (decodeJwt(t) as { sid: string }).sid);
    expect(new Set(sids).size).toBe(2);
    const before = receivers.valtimo.received.length;
    nc.users.put({ id: 'gert', enabled: false });
    expect(
      (await call(e2e.h.url, 'POST', '/api/sync-user', ops, JSON.stringify({ user_id: 'gert' }))).status,
    ).toBe(200);
    await expect
      .poll(() => receivers.valtimo.received.length - before, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    await new Promise((ok) => setTimeout(ok, 1_000)); // any further token has arrived by now
    const got = receivers.valtimo.received.slice(before);
    for (const logout of got)
      expect(logout, logout.error).toMatchObject({
        valid: true,
        claims: { sub: decodeJwt(first.access_token).sub },
      });
    expect(got.map((l) => l.claims?.sid).sort()).toEqual([...sids].sort());
  });

  it('answers a forged logout token at the consumer with 400 (the receiver validates, it does not just count)', async () => {
    const before = receivers.valtimo.received.length;
    const forged = await fetch(`${nc.url}/exapps/valtimo/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({ logout_token: (await apiToken('alice', 'valtimo')).id_token }),
    });
    expect(forged.status).toBe(400);
    expect(receivers.valtimo.received.slice(before)).toMatchObject([{ valid: false }]);
  });
});
