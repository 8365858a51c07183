// Nextcloud's own login, as `core/Controller/LoginController.php` does it (showLoginForm, tryLogin,
// generateRedirect) and `OC\URLGenerator::getAbsoluteURL` builds the target: the page a browser
// without a session is sent to, and where it goes after signing in.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readAll } from './exapp-request.js';
import type { NextcloudState } from './nextcloud-state.js';

/** Where Nextcloud sends a signed-in browser without a (usable) `redirect_url`. */
export const DEFAULT_PAGE = '/index.php/apps/dashboard/';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sessionOf(nc: NextcloudState, req: IncomingMessage): string | undefined {
  const passphrase = /(?:^|;\s*)oc_sessionPassphrase=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const user = passphrase ? nc.sessions.get(passphrase) : undefined;
  return user && nc.users.get(user)?.enabled ? user : undefined;
}

/**
 * `generateRedirect`: the absolute URL of `redirect_url` on this Nextcloud (getAbsoluteURL: the base
 * URL, a `/` unless the URL starts with one, then the URL as given), refused when it contains `@`
 * (`?redirect_url=:user@domain.com`); the default page otherwise.
 */
export function redirectAfterLogin(baseUrl: string, redirectUrl: string | null): string {
  if (redirectUrl !== null) {
    const location = `${baseUrl}${redirectUrl.startsWith('/') ? '' : '/'}${redirectUrl}`;
    if (!location.includes('@')) return location;
  }
  return `${baseUrl}${DEFAULT_PAGE}`;
}

function page(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(html);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
}

/**
 * `GET /index.php/login`: a signed-in browser goes to the default page (not to `redirect_url`);
 * anyone else gets the form, which carries `redirect_url` unless it is the logout route.
 * `POST /index.php/login`: the user's password (and an enabled account) starts a session and sends
 * the browser to `generateRedirect(redirect_url)`; a failure shows the form again with the message.
 */
export async function handleLogin(
  nc: NextcloudState & { readonly url: string; readonly passwords: ReadonlyMap<string, string> },
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (req.method === 'GET') {
    if (sessionOf(nc, req)) return redirect(res, `${nc.url}${DEFAULT_PAGE}`);
    const redirectUrl = url.searchParams.get('redirect_url') ?? '';
    const keep = redirectUrl !== '' && redirectUrl.split('?')[0] !== '/index.php/logout';
    const message = url.searchParams.get('message');
    return page(
      res,
      200,
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Login – Nextcloud</title></head><body>` +
        (message ? `<p class="warning" id="login-message">${escapeHtml(message)}</p>` : '') +
        `<form method="post" action="/index.php/login" name="login">` +
        `<input id="user" name="user" value="${escapeHtml(url.searchParams.get('user') ?? '')}" autocomplete="username">` +
        `<input id="password" name="password" type="password" autocomplete="current-password">` +
        (keep ? `<input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">` : '') +
        `<input type="hidden" name="requesttoken" value="fake-request-token">` +
        `<button id="submit-form" type="submit">Log in</button></form></body></html>`,
    );
  }
  if (req.method !== 'POST') return page(res, 405, 'Method Not Allowed');
  const form = new URLSearchParams((await readAll(req)).toString('utf8'));
  const user = (form.get('user') ?? '').trim();
  const redirectUrl = form.get('redirect_url');
  const known = nc.users.get(user);
  const failure = (message: string) => {
    const again = new URLSearchParams({ user, direct: '1', message });
    if (redirectUrl !== null) again.set('redirect_url', redirectUrl);
    redirect(res, `/index.php/login?${again.toString()}`);
  };
  if (!known || nc.passwords.get(user) !== form.get('password')) return failure('Wrong login or password.');
  if (!known.enabled) return failure('This account is disabled');
  const passphrase = randomBytes(16).toString('hex');
  nc.sessions.set(passphrase, user);
  redirect(
    res,
    redirectAfterLogin(nc.url, redirectUrl),
    `oc_sessionPassphrase=${passphrase}; path=/; HttpOnly; SameSite=Lax`,
  );
}
