import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Secret, SignInWithNextcloud, type AuthorizeRequest } from '@keycloak-exapp/core';
import { directoryUser, world } from './harness.js';

const REDIRECT_URI = 'https://cloud.example/exapps/keycloak/realms/commonground/broker/nextcloud/endpoint';
const SECRET = 's'.repeat(43);

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function signIn(users = [directoryUser('alice')]) {
  const w = await world({ users });
  const broker = new SignInWithNextcloud({
    client: { clientId: 'keycloak-broker', secret: new Secret(SECRET), redirectUri: REDIRECT_URI },
    checkUser: (id, opts) => w.token.checkUser(id, opts),
    clock: w.clock,
  });
  const { verifier, challenge } = pkce();
  const request: AuthorizeRequest = {
    response_type: 'code',
    client_id: 'keycloak-broker',
    redirect_uri: REDIRECT_URI,
    state: 'state-from-the-broker',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  };
  const codeFor = async (userId: string, req: AuthorizeRequest = request) => {
    const outcome = await broker.authorize(req, userId);
    if (outcome.kind !== 'redirect') throw new Error(`expected a redirect, got ${outcome.kind}`);
    return new URL(outcome.location).searchParams.get('code')!;
  };
  const redemption = (code: string) => ({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: 'keycloak-broker',
    client_secret: SECRET,
    code_verifier: verifier,
  });
  return { w, broker, request, codeFor, redemption };
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error as { code?: string }).code,
  );

describe('SignInWithNextcloud: the authorization server the broker signs in through', () => {
  it('sends the signed-in user back to the broker with a code and its state; the code buys the user once', async () => {
    const { w, broker, request, redemption } = await signIn();
    const outcome = await broker.authorize(request, 'alice');
    expect(outcome.kind).toBe('redirect');
    const location = new URL((outcome as { location: string }).location);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('state-from-the-broker');
    // The account is the synced one (made just in time here), as /api/token would use it.
    const account = await w.idp.findUserByNextcloudId('alice');
    expect(account).toBeDefined();
    const token = await broker.redeem(redemption(location.searchParams.get('code')!));
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    expect(broker.userInfo(token.access_token)).toEqual({
      sub: 'alice',
      preferred_username: account!.username,
    });
  });

  it('sends an anonymous browser to sign in first, having checked the request is the broker’s', async () => {
    const { broker, request } = await signIn();
    expect(await broker.authorize(request, null)).toEqual({ kind: 'sign-in-first' });
    expect(await broker.authorize(request, '')).toEqual({ kind: 'sign-in-first' });
    // A request that is not the broker's is refused before anything, never redirected.
    expect(await code(broker.authorize({ ...request, redirect_uri: 'https://evil.example/cb' }, null))).toBe(
      'INVALID_INPUT',
    );
  });

  it('answers a silent request (prompt=none) of an anonymous browser with login_required to the broker, never a login page', async () => {
    const { broker, request } = await signIn();
    const outcome = await broker.authorize({ ...request, prompt: 'none' }, null);
    expect(outcome.kind).toBe('login-required');
    const location = new URL((outcome as { location: string }).location);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      error: 'login_required',
      state: request.state,
    });
    // Signed in, the same silent request gets a code at once.
    const signedIn = await broker.authorize({ ...request, prompt: 'none' }, 'alice');
    expect(signedIn.kind).toBe('redirect');
    // Other prompts keep the login page.
    expect(await broker.authorize({ ...request, prompt: 'login' }, null)).toEqual({ kind: 'sign-in-first' });
  });

  it('refuses requests that are not the broker’s: client, redirect URI, response type, state, PKCE', async () => {
    const { broker, request } = await signIn();
    for (const bad of [
      { client_id: 'opentalk' },
      { redirect_uri: `${REDIRECT_URI}/../../evil` },
      { redirect_uri: undefined },
      { response_type: 'token' },
      { state: undefined },
      { state: 'x'.repeat(2049) },
      { code_challenge_method: 'plain' },
      { code_challenge: undefined },
      { code_challenge: 'short' },
    ] satisfies Partial<AuthorizeRequest>[])
      expect(await code(broker.authorize({ ...request, ...bad }, 'alice')), JSON.stringify(bad)).toBe(
        'INVALID_INPUT',
      );
    expect(broker.pending.codes).toBe(0);
  });

  it('refuses a user disabled in or unknown to Nextcloud, and one re-enabled signs in again', async () => {
    const { w, broker, request, codeFor } = await signIn([directoryUser('alice'), directoryUser('bob')]);
    w.directory.put(directoryUser('bob', { enabled: false }));
    expect(await code(broker.authorize(request, 'bob'))).toBe('USER_DISABLED');
    expect(await code(broker.authorize(request, 'nobody'))).toBe('USER_NOT_FOUND');
    w.directory.put(directoryUser('bob'));
    w.clock.advance(60_000); // past the directory check's TTL
    expect(await codeFor('bob')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a code used twice and withdraws what the first use bought', async () => {
    const { broker, codeFor, redemption } = await signIn();
    const c = await codeFor('alice');
    const first = await broker.redeem(redemption(c));
    expect(await code(broker.redeem(redemption(c)))).toBe('INVALID_GRANT');
    expect(() => broker.userInfo(first.access_token)).toThrow(/unknown or expired/);
  });

  it('refuses a code past its minute, a wrong verifier, another redirect URI, and a wrong client secret', async () => {
    const { w, broker, codeFor, redemption } = await signIn();
    const late = await codeFor('alice');
    w.clock.advance(60_001);
    expect(await code(broker.redeem(redemption(late)))).toBe('INVALID_GRANT');
    expect(
      await code(broker.redeem({ ...redemption(await codeFor('alice')), code_verifier: pkce().verifier })),
    ).toBe('INVALID_GRANT');
    expect(
      await code(broker.redeem({ ...redemption(await codeFor('alice')), code_verifier: undefined })),
    ).toBe('INVALID_GRANT');
    expect(
      await code(
        broker.redeem({ ...redemption(await codeFor('alice')), redirect_uri: 'https://evil.example/cb' }),
      ),
    ).toBe('INVALID_GRANT');
    const valid = await codeFor('alice');
    expect(await code(broker.redeem({ ...redemption(valid), client_secret: 'guess' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await code(broker.redeem({ ...redemption(valid), client_id: 'opentalk' }))).toBe(
      'UNAUTHENTICATED',
    );
    // A failed client authentication does not spend the code.
    expect(await code(broker.redeem(redemption(valid)))).toBe('accepted');
  });

  it('lets the access token expire, and keeps at most maxPending codes', async () => {
    const { w, broker, codeFor, redemption } = await signIn();
    const token = await broker.redeem(redemption(await codeFor('alice')));
    w.clock.advance(60_000);
    expect(() => broker.userInfo(token.access_token)).toThrow(/unknown or expired/);
    const bounded = new SignInWithNextcloud({
      client: { clientId: 'keycloak-broker', secret: new Secret(SECRET), redirectUri: REDIRECT_URI },
      checkUser: (id, opts) => w.token.checkUser(id, opts),
      clock: w.clock,
      maxPending: 3,
    });
    const { request } = await signIn();
    for (let i = 0; i < 5; i++) await bounded.authorize(request, 'alice');
    expect(bounded.pending.codes).toBe(3);
  });
});
