// Nextcloud's login as the fake plays it (LoginController: showLoginForm, tryLogin, generateRedirect).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PAGE, FakeNextcloud, redirectAfterLogin } from '@keycloak-exapp/fake-nextcloud';

const nc = new FakeNextcloud();
beforeAll(async () => {
  await nc.start();
  nc.addUser({ id: 'alice' });
  nc.addUser({ id: 'bob', enabled: false });
  nc.setPassword('alice', 'alice-password');
  nc.setPassword('bob', 'bob-password');
});
afterAll(() => nc.stop());

const post = (form: Record<string, string>, cookie = '') =>
  fetch(`${nc.url}/index.php/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });

describe('the fake Nextcloud’s login page', () => {
  it('builds the target as getAbsoluteURL does and refuses any with "@"', () => {
    const base = 'https://cloud.example';
    expect(redirectAfterLogin(base, '/exapps/keycloak/sign-in/authorize?a=1')).toBe(
      'https://cloud.example/exapps/keycloak/sign-in/authorize?a=1',
    );
    // Never another host: the URL is appended to Nextcloud's own base.
    expect(redirectAfterLogin(base, '//evil.example/x')).toBe('https://cloud.example//evil.example/x');
    expect(redirectAfterLogin(base, 'https://evil.example/x')).toBe(
      'https://cloud.example/https://evil.example/x',
    );
    expect(redirectAfterLogin(base, '/x?to=:user@evil.example')).toBe(`${base}${DEFAULT_PAGE}`);
    expect(redirectAfterLogin(base, null)).toBe(`${base}${DEFAULT_PAGE}`);
  });

  it('signs a user in with their password and sends them to redirect_url; a session then shows to the proxies', async () => {
    const form = await fetch(`${nc.url}/index.php/login?redirect_url=%2Fexapps%2Fkeycloak%2Fx%3Fa%3D1`);
    expect(await form.text()).toContain('name="redirect_url" value="/exapps/keycloak/x?a=1"');
    const res = await post({
      user: 'alice',
      password: 'alice-password',
      redirect_url: '/exapps/keycloak/x?a=1',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${nc.url}/exapps/keycloak/x?a=1`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect(nc.sessions.get(cookie.split('=')[1]!)).toBe('alice');
    // Signed in, the login page goes to the default page, not to redirect_url.
    const again = await fetch(`${nc.url}/index.php/login?redirect_url=/elsewhere`, {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(again.headers.get('location')).toBe(`${nc.url}${DEFAULT_PAGE}`);
  });

  it('refuses a wrong password and a disabled account, keeping redirect_url for the next try', async () => {
    const wrong = await post({ user: 'alice', password: 'guess', redirect_url: '/exapps/keycloak/x' });
    expect(wrong.status).toBe(303);
    const back = new URL(wrong.headers.get('location')!, nc.url);
    expect(back.pathname).toBe('/index.php/login');
    expect(back.searchParams.get('redirect_url')).toBe('/exapps/keycloak/x');
    expect(back.searchParams.get('message')).toBe('Wrong login or password.');
    const disabled = await post({ user: 'bob', password: 'bob-password' });
    expect(new URL(disabled.headers.get('location')!, nc.url).searchParams.get('message')).toBe(
      'This account is disabled',
    );
    expect(disabled.headers.get('set-cookie')).toBeNull();
  });
});
