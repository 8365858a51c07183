import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENTALK_SECRET, appApiAs, call } from '../exapp-harness.js';
import { REALM, clientSecret, e2e, token } from './context.js';

const PASSWORD = 'Nextcloud-Login-Password-42';

/** A relying party's redirect target: records the callback URL it was sent to. */
async function relyingParty(port: number): Promise<{ server: Server; callbacks: string[] }> {
  const callbacks: string[] = [];
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/cb')) callbacks.push(`http://127.0.0.1:${port}${req.url}`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  return { server, callbacks };
}

/** What a browser saw on its way: Keycloak login forms rendered, and every page it was sent to. */
function watch(page: Page) {
  const seen = { keycloakForms: 0, documents: [] as string[] };
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document') return;
    seen.documents.push(response.url());
    void response
      .text()
      .then((html) => {
        if (/id="kc-form-login"|name="password"/.test(html) && response.url().includes('/realms/'))
          seen.keycloakForms++;
      })
      .catch(() => undefined);
  });
  return seen;
}

async function discover(clientId: string, secret?: string) {
  return client.discovery(
    new URL(`${e2e.h.issuerBase}/realms/${REALM}`),
    clientId,
    secret,
    secret ? client.ClientSecretPost(secret) : client.None(),
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the fake Nextcloud serves plain HTTP on loopback
    { execute: [client.allowInsecureRequests] },
  );
}

/** An authorization request as the RP's library makes it (code + PKCE S256 + state). */
async function authorization(config: client.Configuration, redirectUri: string) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  return { url, verifier, state };
}

function idTokenSub(answer: { body: { id_token?: string } }): Record<string, unknown> {
  return JSON.parse(
    Buffer.from(answer.body.id_token!.split('.')[1]!, 'base64url').toString('utf8'),
  ) as Record<string, unknown>;
}

/** The broker's authorization request, as Keycloak sends a browser to the ExApp. */
function brokerQuery(state: string): URLSearchParams {
  return new URLSearchParams({
    response_type: 'code',
    client_id: 'keycloak-broker',
    redirect_uri: `${e2e.h.issuerBase}/realms/${REALM}/broker/nextcloud/endpoint`,
    state,
    code_challenge: 'c'.repeat(43),
    code_challenge_method: 'S256',
  });
}

/** Where a page of the ExApp sends the browser on (`<meta http-equiv="refresh">`). */
function onwards(html: string): URL {
  const target = /url=([^"]+)"/.exec(html)?.[1];
  if (!target) throw new Error(`no onward URL in ${html.slice(0, 200)}`);
  return new URL(target.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))));
}

export function describeSignIn(): void {
  describe('Sign in with Nextcloud: a browser reaches a relying party with its Nextcloud session, no Keycloak form', () => {
    let browser: Browser;
    let rp: { server: Server; callbacks: string[] };
    const redirectUri = () => `http://127.0.0.1:${e2e.h.rpPort}/cb`;

    beforeAll(async () => {
      browser = await launchChromium();
      rp = await relyingParty(e2e.h.rpPort);
      e2e.h.nc.setPassword('alice', PASSWORD);
      e2e.h.nc.setPassword('dave', PASSWORD);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await new Promise<void>((ok) => (rp ? rp.server.close(() => ok()) : ok()));
    });

    /** Runs the RP's login in `context` until the RP has its callback; signs in to Nextcloud if asked. */
    async function login(context: BrowserContext, config: client.Configuration, userId: string) {
      const { url, verifier, state } = await authorization(config, redirectUri());
      const page = await context.newPage();
      const seen = watch(page);
      const before = rp.callbacks.length;
      await page.goto(url.href);
      const loginForm = page.locator('form[name="login"] #user');
      const done = () => rp.callbacks.length > before;
      await expect.poll(async () => done() || (await loginForm.count()) > 0, { timeout: 60_000 }).toBe(true);
      let nextcloudForms = 0;
      if (!done()) {
        nextcloudForms++;
        await page.fill('#user', userId);
        await page.fill('#password', PASSWORD);
        await page.click('#submit-form');
      }
      await expect.poll(done, { timeout: 60_000 }).toBe(true);
      const tokens = await client.authorizationCodeGrant(config, new URL(rp.callbacks.at(-1)!), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      await page.close();
      return { tokens, seen, nextcloudForms };
    }

    it('an anonymous browser meets Nextcloud’s login only, then comes back signed in as the synced account', async () => {
      const config = await discover('opentalk');
      const context = await browser.newContext();
      const { tokens, seen, nextcloudForms } = await login(context, config, 'alice');
      expect(nextcloudForms).toBe(1);
      expect(seen.keycloakForms).toBe(0);
      // The account /api/token uses for alice: same sub, username and groups.
      const fromApi = idTokenSub(await token('alice', 'opentalk', OPENTALK_SECRET));
      const claims = tokens.claims()!;
      expect(claims.sub).toBe(fromApi.sub);
      expect(claims.preferred_username).toBe(fromApi.preferred_username);
      expect(claims.groups).toEqual(fromApi.groups);
      // The second visit rides Keycloak's session: no form at all.
      const again = await login(context, config, 'alice');
      expect(again.nextcloudForms + again.seen.keycloakForms).toBe(0);
      expect(again.tokens.claims()!.sub).toBe(fromApi.sub);
      await context.close();
    }, 240_000);

    it('a browser already signed in to Nextcloud needs no form and no click; Valtimo (confidential) signs in too', async () => {
      const valtimoSecret = await clientSecret('valtimo');
      const config = await discover('valtimo', valtimoSecret);
      const context = await browser.newContext();
      const [name, value] = e2e.h.nc.login('dave').split('; ')[0]!.split('=') as [string, string];
      await context.addCookies([{ name, value, url: e2e.h.nc.url }]);
      const { tokens, seen, nextcloudForms } = await login(context, config, 'dave');
      expect(nextcloudForms + seen.keycloakForms).toBe(0);
      expect(tokens.claims()!.sub).toBe(idTokenSub(await token('dave', 'opentalk', OPENTALK_SECRET)).sub);
      // Only redirects between the RP's request and its callback: Keycloak, the ExApp, Keycloak, the RP.
      expect(seen.documents.every((u) => u.startsWith(e2e.h.nc.url) || u.startsWith(redirectUri()))).toBe(
        true,
      );
      await context.close();
    }, 240_000);

    it('signs in a user Nextcloud has but the sync has not reached yet, making the account just in time', async () => {
      e2e.h.nc.addUser({
        id: 'frank',
        displayName: 'Frank Fries',
        email: 'frank@example.test',
        groups: ['staff'],
      });
      expect(await e2e.idp.findUserByNextcloudId('frank')).toBeUndefined();
      const context = await browser.newContext();
      const [name, value] = e2e.h.nc.login('frank').split('; ')[0]!.split('=') as [string, string];
      await context.addCookies([{ name, value, url: e2e.h.nc.url }]);
      const { tokens, seen, nextcloudForms } = await login(context, await discover('opentalk'), 'frank');
      expect(nextcloudForms + seen.keycloakForms).toBe(0);
      const account = await e2e.idp.findUserByNextcloudId('frank');
      expect(tokens.claims()).toMatchObject({ sub: account!.id, preferred_username: account!.username });
      await context.close();
    }, 240_000);

    it('answers through the classic proxy too: a page (the proxy would follow a 3xx itself) for a signed-in and an anonymous browser', async () => {
      const query = brokerQuery('classic-state');
      const classic = `${e2e.h.nc.url}/index.php/apps/app_api/proxy/${e2e.h.nc.exApp.appId}/sign-in/authorize?${query.toString()}`;
      const signedIn = await fetch(classic, {
        headers: { cookie: e2e.h.nc.login('alice') },
        redirect: 'manual',
      });
      expect(signedIn.status).toBe(200);
      const onward = onwards(await signedIn.text());
      expect(onward.pathname).toBe(
        `/exapps/${e2e.h.nc.exApp.appId}/realms/${REALM}/broker/nextcloud/endpoint`,
      );
      expect(onward.searchParams.get('state')).toBe('classic-state');
      const anonymous = await fetch(classic, { redirect: 'manual' });
      const login = onwards(await anonymous.text());
      expect(login.pathname).toBe('/index.php/login');
      expect(login.searchParams.get('redirect_url')).toBe(
        `/exapps/${e2e.h.nc.exApp.appId}/sign-in/authorize?${query.toString()}`,
      );
    }, 60_000);

    it('refuses a user the proxy names but Nextcloud has disabled, with a page that says so', async () => {
      // The broker's request, as Keycloak sends the browser to the ExApp.
      const query = brokerQuery('broker-state');
      e2e.h.nc.addUser({ id: 'erin', displayName: 'Erin', email: null, groups: [], enabled: false });
      const refused = await call(e2e.h.url, 'GET', `/sign-in/authorize?${query.toString()}`, {
        ...appApiAs(e2e.h.nc, 'erin'),
        accept: 'text/html',
      });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('Your Nextcloud account is disabled');
      // The same request for an enabled user goes back to the broker with a code and the state.
      const allowed = await call(
        e2e.h.url,
        'GET',
        `/sign-in/authorize?${query.toString()}`,
        appApiAs(e2e.h.nc, 'alice'),
      );
      expect(allowed.status).toBe(200);
      const target = onwards(allowed.text);
      expect(target.searchParams.get('state')).toBe('broker-state');
      expect(target.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }, 60_000);
  });
}
