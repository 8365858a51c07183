// Sign in with Nextcloud against an external Keycloak that `keycloak connect` set up, with the
// broker's token and user endpoints on their own listener (SIGN_IN_LISTEN / SIGN_IN_INTERNAL_URL),
// Chromium through the fake Nextcloud's HaRP proxy, and mozilla-django-oidc (Open Zaak's and Open
// Klant's library) as the relying party. Twice: Keycloak's pages through HaRP's path, then through
// a direct URL with the authorization endpoint behind the classic proxy (which follows redirects on
// the server, so Keycloak itself cannot sit behind it). The test command runs this file on 26.7.3
// and 26.5.6.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { freePort } from '@keycloak-exapp/adapter-keycloak';
import {
  startDjangoRelyingParty,
  startKeycloakServer,
  type DjangoRelyingParty,
  type StartedKeycloakServer,
} from '@keycloak-exapp/test-support';
import { OPENTALK_SECRET, infoXmlRoutes, startExApp } from './exapp-harness.js';
import { runCli } from './cli-process.js';
import { REALM, addE2eUsers, clientSecret, e2e, idpFor, token } from './e2e/context.js';
import { launchChromium } from './e2e/chromium.js';

const PASSWORD = 'Nextcloud-Login-Password-42';
const BROKER_ENDPOINT = '**/broker/nextcloud/endpoint?**';
let nc: FakeNextcloud;
let keycloak: StartedKeycloakServer;
let rp: DjangoRelyingParty;
let browser: Browser;
let connected: { settings: Record<string, string> };
let signInPort: number;
/** Keycloak's public base (the issuer's base) and the authorization endpoint as browsers reach them. */
let issuerBase: string;
let authorizeThroughProxy: string;
type Proxy = 'harp' | 'classic';

async function setUp(proxy: Proxy): Promise<void> {
  nc = await new FakeNextcloud({ admins: ['admin'] }).start();
  // Behind HaRP, Keycloak's public base is its path; else Keycloak answers at its own URL.
  keycloak = await startKeycloakServer(
    'dev-file',
    undefined,
    proxy === 'harp' ? { hostname: `${nc.url}/exapps/${nc.exApp.appId}` } : {},
  );
  issuerBase = proxy === 'harp' ? `${nc.url}/exapps/${nc.exApp.appId}` : keycloak.info.baseUrl;
  authorizeThroughProxy =
    proxy === 'harp'
      ? `${nc.url}/exapps/${nc.exApp.appId}/sign-in/authorize`
      : `${nc.url}/index.php/apps/app_api/proxy/${nc.exApp.appId}/sign-in/authorize`;
  const rpPort = await freePort();
  signInPort = await freePort();
  const redirectUris = JSON.stringify({ openzaak: [`http://127.0.0.1:${rpPort}/*`] });
  const connect = await runCli(
    [
      'keycloak',
      'connect',
      '--url',
      keycloak.info.baseUrl,
      '--admin-client',
      keycloak.info.adminClientId,
      '--json',
    ],
    {
      KEYCLOAK_CONNECT_ADMIN_CLIENT_SECRET: keycloak.info.adminClientSecret,
      KEYCLOAK_REDIRECT_URIS: redirectUris,
    },
  );
  expect(connect.code, connect.stderr).toBe(0);
  connected = JSON.parse(connect.stdout) as typeof connected;
  e2e.externalAdmin = {
    clientId: connected.settings.KEYCLOAK_ADMIN_CLIENT_ID!,
    clientSecret: connected.settings.KEYCLOAK_ADMIN_CLIENT_SECRET!,
  };
  e2e.h = await startExApp(
    {
      ...connected.settings,
      KEYCLOAK_REDIRECT_URIS: redirectUris,
      SIGN_IN_LISTEN: `127.0.0.1:${signInPort}`,
      SIGN_IN_INTERNAL_URL: `http://127.0.0.1:${signInPort}`,
      NEXTCLOUD_PROXY: proxy,
      ...(proxy === 'classic' ? { KC_HOSTNAME: keycloak.info.baseUrl } : {}),
    },
    { nc },
  );
  nc.exApp.routes = infoXmlRoutes();
  addE2eUsers(nc);
  for (const id of ['alice', 'bob', 'carol', 'dave']) nc.setPassword(id, PASSWORD);
  const { error } = await nc.appApi.install({ timeoutMs: 480_000 });
  expect(error).toBe('');
  e2e.idp = idpFor();
  rp = await startDjangoRelyingParty({
    issuer: `${issuerBase}/realms/${REALM}`,
    clientId: 'openzaak',
    clientSecret: await clientSecret('openzaak'),
    port: rpPort,
  });
  browser = await launchChromium();
}

async function tearDown(): Promise<void> {
  await browser?.close();
  await rp?.stop();
  await e2e.h?.dispose();
  await keycloak?.stop();
  await nc?.stop();
}

/** The ExApp's audit lines for the broker's code redemptions with `outcome`. */
function redemptions(outcome: string): number {
  return e2e.h
    .logs()
    .split('\n')
    .filter((line) => line.includes('"audit":"sign-in-redeem"') && line.includes(`"outcome":"${outcome}"`))
    .length;
}

/** Counts the Keycloak login forms a page rendered on its way. */
function watchKeycloakForms(page: Page): { forms: number } {
  const seen = { forms: 0 };
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || !response.url().includes('/realms/')) return;
    void response
      .text()
      .then((html) => {
        if (/id="kc-form-login"|name="password"/.test(html)) seen.forms++;
      })
      .catch(() => undefined);
  });
  return seen;
}

/** A browser context holding `user`'s Nextcloud session (as after signing in to Nextcloud). */
async function signedInToNextcloud(user: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  const [name, value] = nc.login(user).split('; ')[0]!.split('=') as [string, string];
  await context.addCookies([{ name, value, url: nc.url }]);
  return context;
}

type Settled = 'rp' | 'nextcloud-login';

/** Waits until the page is back at the relying party or on Nextcloud's login form. */
async function settle(page: Page): Promise<Settled> {
  let where: Settled | undefined;
  await expect
    .poll(
      async () => {
        if (page.url().startsWith(rp.whoamiUrl.replace('/whoami', '/')) && !page.url().includes('/oidc/'))
          where = 'rp';
        else if ((await page.locator('form[name="login"] #user').count()) > 0) where = 'nextcloud-login';
        return where;
      },
      { timeout: 60_000 },
    )
    .toBeDefined();
  return where!;
}

async function submitNextcloudLogin(page: Page, user: string): Promise<void> {
  await page.fill('#user', user);
  await page.fill('#password', PASSWORD);
  await page.click('#submit-form');
  await page.waitForLoadState();
}

/** Who the relying party says is signed in, in `context` (401 when nobody). */
async function whoami(context: BrowserContext) {
  const answer = await context.request.get(rp.whoamiUrl);
  return { status: answer.status(), body: (await answer.json()) as Record<string, any> };
}

/** Starts the relying party's login in a new page and stops the browser before Keycloak's broker endpoint. */
async function brokerReturn(context: BrowserContext): Promise<{ page: Page; url: URL }> {
  const page = await context.newPage();
  let captured: URL | undefined;
  await page.route(BROKER_ENDPOINT, (route) => {
    captured ??= new URL(route.request().url());
    return route.abort();
  });
  await page.goto(rp.loginUrl).catch(() => undefined);
  await expect.poll(() => captured, { timeout: 60_000 }).toBeDefined();
  await page.unroute(BROKER_ENDPOINT);
  return { page, url: captured! };
}

describe.each<Proxy>(['harp', 'classic'])(
  'Sign in with Nextcloud on an external Keycloak, mozilla-django-oidc as the relying party, through %s',
  (proxy) => {
    beforeAll(() => setUp(proxy), 600_000);
    afterAll(() => tearDown(), 180_000);

    it('keycloak connect gave the setup account the roles the identity provider needs, and init declared it', async () => {
      const providers = JSON.parse(
        (await e2e.kcHttp.admin('GET', `admin/realms/${REALM}/identity-provider/instances`, { what: 'idp' }))
          .body,
      ) as { alias: string; config: Record<string, string> }[];
      const broker = providers.find((p) => p.alias === 'nextcloud');
      // Keycloak calls the ExApp's own listener, never Nextcloud's proxy.
      expect(broker?.config).toMatchObject({
        tokenUrl: `http://127.0.0.1:${signInPort}/sign-in/token`,
        userInfoUrl: `http://127.0.0.1:${signInPort}/sign-in/userinfo`,
        authorizationUrl: authorizeThroughProxy,
      });
    });

    it('an anonymous browser meets Nextcloud’s login only, and the Django site signs in the synced account', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const keycloakForms = watchKeycloakForms(page);
      await page.goto(rp.loginUrl);
      expect(await settle(page)).toBe('nextcloud-login');
      await submitNextcloudLogin(page, 'alice');
      expect(await settle(page)).toBe('rp');
      expect(keycloakForms.forms).toBe(0);
      expect(redemptions('ok')).toBe(1);
      const me = await whoami(context);
      expect(me.status, rp.output().slice(-1500)).toBe(200);
      const fromApi = JSON.parse(
        Buffer.from(
          (await token('alice', 'opentalk', OPENTALK_SECRET)).body.id_token.split('.')[1],
          'base64url',
        ).toString(),
      ) as Record<string, unknown>;
      expect(me.body).toMatchObject({ email: 'alice@example.test' });
      expect(me.body.claims).toMatchObject({
        sub: fromApi.sub,
        preferred_username: fromApi.preferred_username,
        groups: fromApi.groups,
      });
      await context.close();
    }, 240_000);

    it('refuses a user disabled in Nextcloud (Nextcloud’s login says so), signs them in once re-enabled', async () => {
      const context = await signedInToNextcloud('carol');
      nc.addUser({
        id: 'carol',
        displayName: 'Carol Clark',
        email: 'carol@example.test',
        groups: ['staff'],
        enabled: false,
      });
      const page = await context.newPage();
      const keycloakForms = watchKeycloakForms(page);
      await page.goto(rp.loginUrl);
      // Nextcloud ends a disabled account's session: the broker sends the browser to Nextcloud's login.
      expect(await settle(page)).toBe('nextcloud-login');
      await submitNextcloudLogin(page, 'carol');
      expect(await page.locator('#login-message').textContent()).toBe('This account is disabled');
      expect((await whoami(context)).status).toBe(401);
      nc.addUser({
        id: 'carol',
        displayName: 'Carol Clark',
        email: 'carol@example.test',
        groups: ['staff'],
        enabled: true,
      });
      await submitNextcloudLogin(page, 'carol');
      expect(await settle(page)).toBe('rp');
      expect((await whoami(context)).body).toMatchObject({ signedIn: true, email: 'carol@example.test' });
      expect(keycloakForms.forms).toBe(0);
      await context.close();
    }, 240_000);

    it('refuses a user deleted in Nextcloud: the session is gone and the login fails', async () => {
      const context = await signedInToNextcloud('dave');
      nc.removeUser('dave');
      const page = await context.newPage();
      await page.goto(rp.loginUrl);
      expect(await settle(page)).toBe('nextcloud-login');
      await submitNextcloudLogin(page, 'dave');
      expect(await page.locator('#login-message').textContent()).toBe('Wrong login or password.');
      expect((await whoami(context)).status).toBe(401);
      await context.close();
    }, 240_000);

    it('refuses a person Nextcloud disabled after they signed in, at their next login, though Keycloak’s session lives on', async () => {
      const context = await signedInToNextcloud('bob');
      const page = await context.newPage();
      await page.goto(rp.loginUrl);
      expect(await settle(page)).toBe('rp');
      nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [], enabled: false });
      try {
        // The relying party starts a new login: Keycloak asks Nextcloud again (no SSO-cookie shortcut),
        // and Nextcloud has ended the disabled account's session.
        await page.goto(rp.loginUrl);
        expect(await settle(page)).toBe('nextcloud-login');
      } finally {
        nc.addUser({ id: 'bob', displayName: 'Bob', email: null, groups: [], enabled: true });
        await context.close();
      }
    }, 240_000);

    it('answers a silent request (prompt=none) with a code for a Nextcloud session and login_required without one, no page shown', async () => {
      const silent = async (context: BrowserContext) => {
        const auth = new URL(`${issuerBase}/realms/${REALM}/protocol/openid-connect/auth`);
        auth.search = new URLSearchParams({
          client_id: 'openzaak',
          redirect_uri: rp.callbackUrl,
          response_type: 'code',
          scope: 'openid',
          state: 'silent-state',
          prompt: 'none',
        }).toString();
        const page = await context.newPage();
        let callback: URL | undefined;
        page.on('request', (r) => {
          if (r.url().startsWith(rp.callbackUrl)) callback ??= new URL(r.url());
        });
        await page.goto(auth.href).catch(() => undefined);
        await expect.poll(() => callback, { timeout: 60_000 }).toBeDefined();
        return Object.fromEntries(callback!.searchParams);
      };
      const anonymous = await browser.newContext();
      expect(await silent(anonymous)).toMatchObject({ error: 'login_required', state: 'silent-state' });
      await anonymous.close();
      const signedIn = await signedInToNextcloud('alice');
      const answer = await silent(signedIn);
      expect(answer).toMatchObject({ state: 'silent-state', code: expect.any(String) });
      expect(answer.error).toBeUndefined();
      await signedIn.close();
    }, 240_000);

    it('refuses a code from another browser, a state that is not the browser’s, and a code bound to another PKCE challenge', async () => {
      const alice = await signedInToNextcloud('alice');
      const bob = await signedInToNextcloud('bob');
      const fromAlice = await brokerReturn(alice);
      const fromBob = await brokerReturn(bob);
      // Refused: Keycloak shows its error page or sends the relying party an error, never a code.
      const refused = async (context: BrowserContext, page: Page, url: URL) => {
        const callbacks: URL[] = [];
        page.on('request', (r) => {
          if (r.url().startsWith(rp.callbackUrl)) callbacks.push(new URL(r.url()));
        });
        await page.goto(url.href).catch(() => undefined);
        await page.waitForLoadState();
        expect(
          callbacks.filter((c) => c.searchParams.has('code')),
          page.url(),
        ).toEqual([]);
        expect((await whoami(context)).status).toBe(401);
      };
      // Alice's code and state, replayed in Bob's browser: Keycloak has no such login in this browser.
      await refused(bob, await bob.newPage(), fromAlice.url);
      // Bob's own login, with his state but the code issued to Alice's login: the ExApp redeems it only
      // with the verifier of the challenge it was issued for, so Keycloak's redemption fails.
      const mixed = new URL(fromBob.url);
      mixed.searchParams.set('code', fromAlice.url.searchParams.get('code')!);
      const grantRefusals = () => redemptions('INVALID_GRANT');
      const before = grantRefusals();
      await refused(bob, fromBob.page, mixed);
      // It was the ExApp's check that refused Keycloak's redemption.
      expect(grantRefusals()).toBe(before + 1);
      // Alice's own code with a state that is not hers.
      const tampered = new URL(fromAlice.url);
      tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
      await refused(alice, fromAlice.page, tampered);
      await alice.close();
      await bob.close();
    }, 240_000);

    it('a page that sends a signed-in browser to the authorization endpoint with another browser’s request (CSRF) signs nobody in', async () => {
      // The attacker starts a login in their own browser and keeps the broker's request to the ExApp.
      const attacker = await browser.newContext();
      const attackerPage = await attacker.newPage();
      let request: string | undefined;
      attackerPage.on('request', (r) => {
        if (r.url().includes('/sign-in/authorize?')) request ??= r.url();
      });
      await attackerPage.goto(rp.loginUrl);
      expect(await settle(attackerPage)).toBe('nextcloud-login');
      // The victim, signed in to Nextcloud, is made to open it.
      const victim = await signedInToNextcloud('alice');
      const victimPage = await victim.newPage();
      await victimPage.goto(request!).catch(() => undefined);
      // The ExApp's page hands the browser on to Keycloak, which has no such login in this browser.
      await expect.poll(() => victimPage.url().startsWith(issuerBase), { timeout: 30_000 }).toBe(true);
      await victimPage.waitForLoadState();
      expect((await whoami(victim)).status).toBe(401);
      expect((await whoami(attacker)).status).toBe(401);
      await attacker.close();
      await victim.close();
    }, 240_000);
  },
);
