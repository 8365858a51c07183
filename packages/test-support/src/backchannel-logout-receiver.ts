// A consumer ExApp's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0, §2.6),
// deployed behind the fake Nextcloud's proxies: Keycloak posts `logout_token` to it through them.
// Every token is validated in full; what it received and what it found are kept for the tests.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export interface ReceivedLogout {
  /** Whether the AppAPI signature was this ExApp's, for an anonymous caller (as the proxy signs). */
  readonly signedByProxy: boolean;
  readonly valid: boolean;
  /** Why the token was refused (absent when valid). */
  readonly error?: string;
  readonly header?: Record<string, unknown>;
  readonly claims?: JWTPayload & { sid?: string; events?: Record<string, unknown> };
}

export interface BackchannelLogoutReceiver {
  /** The consumer ExApp's own address (the proxies forward to it). */
  readonly url: string;
  readonly received: ReceivedLogout[];
  stop(): Promise<void>;
}

export interface BackchannelLogoutReceiverOptions {
  /** The issuer tokens must name (the realm as consumers are configured with it). */
  readonly issuer: string;
  /** Where the keys are read (Keycloak's JWKS, reached directly). */
  readonly jwksUrl: string;
  /** The consumer's client id: the logout token's audience. */
  readonly clientId: string;
  /** This ExApp's AppAPI secret (the proxies sign with it). */
  readonly appSecret: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** §2.6 of the spec, in its order; answers the refusal's reason, or undefined when it holds. */
async function validate(
  token: string,
  opts: BackchannelLogoutReceiverOptions,
  jwks: ReturnType<typeof createRemoteJWKSet>,
  seenJti: Set<string>,
): Promise<{ error?: string; claims?: ReceivedLogout['claims']; header?: Record<string, unknown> }> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { error: 'not a JWS' };
  }
  let payload: ReceivedLogout['claims'];
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: opts.issuer,
      audience: opts.clientId,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
      requiredClaims: ['iat', 'jti'],
      maxTokenAge: '2 minutes',
    }));
  } catch (error) {
    return { header, error: `signature or claims: ${(error as Error).message}` };
  }
  const events = payload.events;
  if (!events || typeof events !== 'object' || typeof events[BACKCHANNEL_LOGOUT_EVENT] !== 'object')
    return { header, claims: payload, error: 'no back-channel logout event' };
  if (!payload.sub && !payload.sid) return { header, claims: payload, error: 'neither sub nor sid' };
  if ('nonce' in payload) return { header, claims: payload, error: 'a nonce is present' };
  if (seenJti.has(payload.jti!)) return { header, claims: payload, error: 'replayed jti' };
  seenJti.add(payload.jti!);
  return { header, claims: payload };
}

export async function startBackchannelLogoutReceiver(
  opts: BackchannelLogoutReceiverOptions,
): Promise<BackchannelLogoutReceiver> {
  const jwks = createRemoteJWKSet(new URL(opts.jwksUrl));
  const received: ReceivedLogout[] = [];
  const seenJti = new Set<string>();
  const anonymous = Buffer.from(`:${opts.appSecret}`).toString('base64');
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (req.method !== 'POST' || !req.url?.startsWith('/backchannel-logout')) {
        res.writeHead(404).end();
        return;
      }
      const signedByProxy = req.headers['authorization-app-api'] === anonymous;
      const token = new URLSearchParams(body).get('logout_token');
      const verdict = token ? await validate(token, opts, jwks, seenJti) : { error: 'no logout_token' };
      received.push({ signedByProxy, valid: !verdict.error && signedByProxy, ...verdict });
      // §2.8: 200 when the logout succeeded, 400 with an error otherwise; never cached.
      if (verdict.error || !signedByProxy)
        res
          .writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify({ error: 'invalid_request', error_description: verdict.error ?? 'unsigned' }));
      else res.writeHead(200, { 'cache-control': 'no-store' }).end();
    })();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
