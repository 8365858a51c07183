import { describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { AppApiRequestVerifier, appApiHeaders } from '@keycloak-exapp/adapter-nextcloud';

const SECRET = 's3cret:with:colons-and-more-than-thirty-two-characters';
const verifier = new AppApiRequestVerifier('keycloak', new Secret(SECRET));
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const base = { 'ex-app-id': 'keycloak', 'ex-app-version': '1.0.0', 'aa-version': '32.0.0' };

describe('AppApiRequestVerifier', () => {
  const rejected: [string, Record<string, string | undefined>][] = [
    ['no headers at all', {}],
    ['authorization missing', { ...base }],
    ['authorization empty', { ...base, 'authorization-app-api': '' }],
    ['EX-APP-ID missing', { 'ex-app-version': '1', 'authorization-app-api': b64(`:${SECRET}`) }],
    ['EX-APP-VERSION missing', { 'ex-app-id': 'keycloak', 'authorization-app-api': b64(`:${SECRET}`) }],
    ['wrong app id', { ...base, 'ex-app-id': 'opentalk', 'authorization-app-api': b64(`:${SECRET}`) }],
    [
      'app id differing in case',
      { ...base, 'ex-app-id': 'Keycloak', 'authorization-app-api': b64(`:${SECRET}`) },
    ],
    ['wrong secret', { ...base, 'authorization-app-api': b64('admin:wrong') }],
    ['secret with a suffix', { ...base, 'authorization-app-api': b64(`admin:${SECRET}x`) }],
    ['secret as a prefix', { ...base, 'authorization-app-api': b64(`admin:${SECRET.slice(0, 10)}`) }],
    ['empty secret', { ...base, 'authorization-app-api': b64('admin:') }],
    ['not base64', { ...base, 'authorization-app-api': 'admin:secret!!' }],
    [
      'base64 without padding',
      {
        ...base,
        'authorization-app-api':
          b64(`admin:${SECRET}`).replace(/=+$/, '') + (b64(`admin:${SECRET}`).endsWith('=') ? '' : 'A'),
      },
    ],
    ['no colon', { ...base, 'authorization-app-api': b64(SECRET) }],
    ['the secret in plain text', { ...base, 'authorization-app-api': `admin:${SECRET}` }],
  ];
  for (const [name, headers] of rejected) {
    it(`rejects: ${name}`, () => {
      expect(verifier.verify(headers)).toMatchObject({ ok: false });
    });
  }

  it('accepts a user call and splits on the first colon only (the secret may contain colons)', () => {
    expect(verifier.verify({ ...base, 'authorization-app-api': b64(`alice:${SECRET}`) })).toEqual({
      ok: true,
      userId: 'alice',
    });
  });
  it('accepts a system call (empty user part) and a missing AA-VERSION', () => {
    const { 'aa-version': _aa, ...noAa } = base;
    expect(verifier.verify({ ...noAa, 'authorization-app-api': b64(`:${SECRET}`) })).toEqual({
      ok: true,
      userId: null,
    });
  });
  it('accepts unicode user ids and another EX-APP-VERSION (updates)', () => {
    expect(
      verifier.verify({
        ...base,
        'ex-app-version': '9.9.9',
        'authorization-app-api': b64(`Zoë van Dijk:${SECRET}`),
      }),
    ).toEqual({ ok: true, userId: 'Zoë van Dijk' });
  });
  it('verifies what appApiHeaders signs', () => {
    const headers = appApiHeaders(
      { appId: 'keycloak', appVersion: '1.0.0', secret: new Secret(SECRET) },
      'bob',
    );
    expect(verifier.verify(headers)).toEqual({ ok: true, userId: 'bob' });
    expect(AppApiRequestVerifier.claimsAppApi(headers)).toBe(true);
    expect(AppApiRequestVerifier.claimsAppApi({ 'x-api-secret': 'x' })).toBe(false);
  });
  it('sends a non-empty EX-APP-VERSION even when ours is unknown', () => {
    expect(appApiHeaders({ appId: 'k', appVersion: '', secret: new Secret('x') }, '')['ex-app-version']).toBe(
      '0.0.0',
    );
  });
});
