import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';
import { launchChromium } from './chromium.js';
import { OPENTALK_SECRET, OPS_SECRET, REPO_ROOT } from '../exapp-harness.js';
import { REALM, e2e, keycloakStates } from './context.js';

/**
 * The admin's page in Nextcloud's top menu (AppAPI's embedded page, §8), in Chromium against the
 * fake Nextcloud's AppAPI endpoints: what it shows, its sync buttons, Nextcloud's log, who may see it.
 */
export function describeStatusPage(): void {
  describe('the status page in Nextcloud’s top menu (Chromium)', () => {
    let browser: Browser;
    const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
    const pageUrl = () => `${e2e.h.nc.url}/index.php/apps/app_api/embedded/keycloak/keycloak`;
    const statusUrl = () => `${e2e.h.nc.url}/index.php/apps/app_api/proxy/keycloak/api/status`;
    beforeAll(async () => {
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    async function pageAs(user: string | undefined): Promise<Page> {
      const context = await browser.newContext();
      if (user) {
        const [name, value] = e2e.h.nc.login(user).split('; ')[0]!.split('=');
        await context.addCookies([{ name: name!, value: value!, url: e2e.h.nc.url }]);
      }
      return context.newPage();
    }
    const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';

    it('shows an admin Keycloak’s state and version, the issuer, and the consumers with their clients, never a secret', async () => {
      const page = await pageAs('admin');
      await page.goto(pageUrl());
      await page.locator('#keycloak-state').waitFor({ timeout: 30_000 });
      expect(await text(page, '#keycloak-state')).toBe(keycloakStates().afterInit);
      expect(await text(page, '#keycloak-version')).toBe(
        e2e.externalAdmin
          ? 'external (not read)'
          : (process.env.KEYCLOAK_VERSION ?? DEFAULT_KEYCLOAK_VERSION),
      );
      expect(await text(page, '#keycloak-realm')).toBe(REALM);
      expect(await text(page, '#keycloak-issuer')).toBe(`${e2e.h.issuerBase}/realms/${REALM}`);
      const consumers = await page.locator('#keycloak-consumers tbody tr').allTextContents();
      expect(consumers.length).toBeGreaterThan(0);
      expect(consumers.join('\n')).toContain('opentalk');
      const html = await page.content();
      for (const secret of [OPENTALK_SECRET, OPS_SECRET]) expect(html).not.toContain(secret);
      // The console stays below, in its frame.
      await page.locator('#keycloak-admin-console').waitFor({ timeout: 30_000 });
      await page.context().close();
    }, 120_000);

    it('runs a full sync from its button and shows a user Keycloak refused, with the reason, also in Nextcloud’s log', async () => {
      const nc = e2e.h.nc;
      // Keycloak's user profile refuses an e-mail address that is not one.
      nc.addUser({ id: 'quinn', displayName: 'Quinn Quist', email: 'not-an-address', groups: [] });
      const page = await pageAs('admin');
      try {
        await page.goto(pageUrl());
        await page.locator('#keycloak-state').waitFor({ timeout: 30_000 });
        await page.click('#keycloak-sync-full');
        await expect
          .poll(() => text(page, '#keycloak-sync-message'), { timeout: 90_000 })
          .toMatch(/^Full sync done: [1-9]\d* failed\.$/);
        await expect
          .poll(() => page.locator('#keycloak-last-full-sync .keycloak-pass-failures li').allTextContents())
          .toEqual([expect.stringMatching(/^quinn: .+ \([A-Z_]+\)$/)]);
        const last = await text(page, '#keycloak-last-full-sync');
        expect(last).toMatch(/request/);
        expect(last).toMatch(/users \d+, created \d+, updated \d+/);
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, 'top-menu-status.png'), fullPage: true });
        await expect
          .poll(() => nc.log.filter((l) => l.app === 'keycloak' && l.message.includes('quinn')))
          .toEqual([
            expect.objectContaining({
              level: 2,
              message: expect.stringMatching(/^Keycloak full sync: 1 user\(s\) could not be synced/),
            }),
          ]);
      } finally {
        nc.removeUser('quinn');
      }
      // Gone from Nextcloud, the verification pass finds nothing failing.
      await page.click('#keycloak-sync-verify');
      await expect
        .poll(() => text(page, '#keycloak-sync-message'), { timeout: 90_000 })
        .toBe('Verification done: 0 failed.');
      expect(await text(page, '#keycloak-last-full-sync')).toMatch(/verify/);
      expect(await page.locator('#keycloak-last-full-sync .keycloak-pass-failures li').count()).toBe(0);
      await page.context().close();
    }, 240_000);

    it('gives a signed-in user who is not an admin neither the page nor the status, and an anonymous visitor no status', async () => {
      const user = await pageAs('carol');
      expect((await user.goto(pageUrl()))?.status()).toBe(404);
      const asUser = await user.request.get(statusUrl());
      expect(asUser.status()).toBe(403);
      expect(await asUser.json()).toMatchObject({ code: 'FORBIDDEN' });
      await user.context().close();
      const anonymous = await pageAs(undefined);
      const asNobody = await anonymous.request.get(statusUrl());
      expect(asNobody.status()).toBe(401);
      await anonymous.context().close();
    }, 60_000);
  });
}
