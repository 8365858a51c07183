import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { launchChromium } from './chromium.js';

/**
 * A public client's authorization-code login (PKCE S256) in Chromium for a browser that holds
 * `userId`'s Nextcloud session and nothing else; the code is redeemed at the realm's token endpoint.
 * Answers the ID token's claims and every page the browser loaded on its way.
 */
export async function codeFlowWithNextcloudSession(opts: {
  readonly nc: FakeNextcloud;
  /** `<Keycloak public base>/realms/<realm>/protocol/openid-connect`. */
  readonly endpoints: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userId: string;
}): Promise<{ claims: Record<string, unknown>; documents: string[]; state: string | null }> {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${opts.endpoints}/auth`);
  auth.search = new URLSearchParams({
    client_id: opts.clientId,
    redirect_uri: opts.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'code-flow-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const [name, value] = opts.nc.login(opts.userId).split('; ')[0]!.split('=') as [string, string];
    await context.addCookies([{ name, value, url: opts.nc.url }]);
    const page = await context.newPage();
    const documents: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'document') documents.push(r.url());
    });
    let callback: URL | undefined;
    await page.route(`${opts.redirectUri}**`, (route) => {
      callback = new URL(route.request().url());
      return route.fulfill({ status: 200, body: 'signed in' });
    });
    await page.goto(auth.href);
    await expect
      .poll(() => callback, { timeout: 60_000 })
      .toBeDefined()
      .catch(async (error: unknown) => {
        throw new Error(
          `no callback; pages: ${documents.join(' → ')}; last: ${(await page.content()).slice(0, 600)}`,
          { cause: error },
        );
      });
    const answer = await fetch(`${opts.endpoints}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: opts.clientId,
        code: callback!.searchParams.get('code')!,
        redirect_uri: opts.redirectUri,
        code_verifier: verifier,
      }),
    });
    const { id_token } = (await answer.json()) as { id_token: string };
    return {
      claims: decodeClaims(id_token),
      documents,
      state: callback!.searchParams.get('state'),
    };
  } finally {
    await browser.close();
  }
}

export function decodeClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
