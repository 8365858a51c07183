import { Secret } from '@keycloak-exapp/core';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import * as client from 'openid-client';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ADMIN, REPO_ROOT } from '../exapp-harness.js';
import { REALM, e2e } from './context.js';

export function describeBrowser(): void {
  describe('in a real browser (Chromium), through the HaRP-like proxy', () => {
    let browser: Browser;
    const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('lets a Nextcloud admin open the admin console, log in, open the realm and see a synced user', async () => {
      const context = await browser.newContext();
      const session = e2e.h.nc.login('admin').split('; ')[0]!.split('=');
      await context.addCookies([{ name: session[0]!, value: session[1]!, url: e2e.h.nc.url }]);
      const page = await context.newPage();
      await page.goto(`${e2e.h.issuerBase}/admin/master/console/`);
      await page.waitForSelector('#username', { timeout: 90_000 });
      // The administrator KC_BOOTSTRAP_ADMIN_USERNAME/PASSWORD named (the harness sets them).
      await page.fill('#username', CONSOLE_ADMIN.username);
      await page.fill('#password', CONSOLE_ADMIN.password);
      await page.click('#kc-login');
      await page.goto(`${e2e.h.issuerBase}/admin/master/console/#/${REALM}/users`);
      await page.getByText('carol', { exact: true }).first().waitFor({ timeout: 90_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'admin-console-users.png'), fullPage: true });
      await context.close();
    }, 240_000);

    it('shows the console from the top-menu page in its frame, at the configured URL (never via the classic proxy)', async () => {
      const context = await browser.newContext();
      const session = e2e.h.nc.login('admin').split('; ')[0]!.split('=');
      await context.addCookies([{ name: session[0]!, value: session[1]!, url: e2e.h.nc.url }]);
      const page = await context.newPage();
      await page.goto(`${e2e.h.nc.url}/index.php/apps/app_api/embedded/keycloak/keycloak`);
      const frame = page.locator('#keycloak-admin-console');
      await frame.waitFor({ timeout: 30_000 });
      expect(await frame.getAttribute('src')).toBe(`${e2e.h.issuerBase}/admin/master/console/`);
      await frame.contentFrame().locator('#username').waitFor({ timeout: 90_000 });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'top-menu-console.png') });
      await context.close();
    }, 240_000);

    it('shows Keycloak’s own form only when asked (kc_idp_hint empty), for an account with a Keycloak password', async () => {
      const user = (await e2e.idp.findUserByNextcloudId('carol'))!;
      const password = 'Browser-Test-Password-0123456789';
      await e2e.idp.setPassword(user.id, new Secret(password), 'browser-test');
      const config = await client.discovery(
        new URL(`${e2e.h.issuerBase}/realms/${REALM}`),
        'opentalk',
        undefined,
        client.None(),
        {
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- the fake Nextcloud serves plain HTTP on loopback
          execute: [client.allowInsecureRequests],
        },
      );
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const redirectUri = `http://127.0.0.1:${e2e.h.rpPort}/cb`;
      const authUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        // An empty hint skips the realm's redirect to Nextcloud: Keycloak's own form, asked for.
        kc_idp_hint: '',
      });
      let callback: string | undefined;
      const rp = createServer((req, res) => {
        // Only the redirect counts: Chromium also asks this origin for /favicon.ico.
        if (req.url?.startsWith('/cb')) callback = `http://127.0.0.1:${e2e.h.rpPort}${req.url}`;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
      });
      await new Promise<void>((ok) => rp.listen(e2e.h.rpPort, '127.0.0.1', ok));
      try {
        const page = await browser.newPage();
        await page.goto(authUrl.href);
        await page.fill('#username', user.username);
        await page.fill('#password', password);
        await page.click('#kc-login');
        await expect.poll(() => callback, { timeout: 60_000 }).toBeDefined();
        const tokens = await client.authorizationCodeGrant(config, new URL(callback!), {
          pkceCodeVerifier: verifier,
          expectedState: state,
        });
        expect(tokens.claims()?.iss).toBe(`${e2e.h.issuerBase}/realms/${REALM}`);
        const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
        expect(info).toMatchObject({
          preferred_username: 'carol',
          email: 'carol@example.test',
          given_name: 'Carol',
        });
        await page.close();
      } finally {
        await new Promise<void>((ok) => rp.close(() => ok()));
      }
    }, 240_000);
  });
}
