// The token fast lane answers exactly what the Koa route would: the same statuses, headers and
// bodies for every outcome a consumer can meet, and it takes nothing but the plain consumer form.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DerivedPasswordVault,
  IssueToken,
  NotReadyError,
  Secret,
  noopLogger,
  systemClock,
} from '@keycloak-exapp/core';
import {
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';
import { AppApiRequestVerifier, appApiHeaders } from '@keycloak-exapp/adapter-nextcloud';
import { ConsumerRegistry } from '@keycloak-exapp/composition';
import type { Context } from 'koa';
import { createApp } from '../src/app.js';
import { AuthFailureLimiter } from '../src/http/auth-failure-limiter.js';
import { authenticate, type CallerAuth } from '../src/http/caller.js';
import { createHttpServer } from '../src/http/http-server.js';
import { TokenEndpoint } from '../src/http/token-endpoint.js';
import { tokenFastLane } from '../src/http/token-fast-lane.js';
import { exAppApiRouterWith } from '../src/routes/api.routes.js';
import { ServerMetrics } from '../src/metrics.js';

const APP_SECRET = new Secret('a'.repeat(40));
const SECRET = 'consumer-secret-0123456789abcdef';
const NO_TOKENS_SECRET = 'sync-only-secret-0123456789abcdef';
const CLIENTS = ['opentalk', 'valtimo'];

const directory = new InMemoryUserDirectory([
  { id: 'alice', displayName: 'Alice', email: 'alice@example.test', enabled: true, groups: ['staff'] },
  { id: 'bob', displayName: 'Bob', email: 'bob@example.test', enabled: false, groups: [] },
]);
let ready = true;

interface Served {
  readonly url: string;
  readonly metrics: ServerMetrics;
  /** Requests the fast lane answered itself. */
  fastLaneTook: number;
  close(): void;
}

/**
 * One server as the ExApp wires it (`withFastLane`) or the Koa app alone, over one shared use case;
 * each has its own failure limiter, metrics and endpoint, so the same requests meet the same state.
 */
async function serve(issueToken: IssueToken, withFastLane: boolean): Promise<Served> {
  const auth: CallerAuth = {
    verifier: new AppApiRequestVerifier('keycloak', APP_SECRET),
    consumers: new ConsumerRegistry([
      {
        name: 'opentalk',
        secret: new Secret(SECRET),
        clientIds: new Set(['opentalk']),
        operations: new Set(['token']),
      },
      {
        name: 'sync-job',
        secret: new Secret(NO_TOKENS_SECRET),
        clientIds: new Set(['opentalk']),
        operations: new Set(['sync']),
      },
    ]),
    limiter: new AuthFailureLimiter(4),
  };
  const metrics = new ServerMetrics(() => ({ state: 'external', restarts: 0 }));
  const deps = {
    issueToken,
    syncUser: {} as never,
    deleteUser: {} as never,
    authenticate: (ctx: Context) => authenticate(ctx, auth),
    assertTokenReady: () => {
      if (!ready) throw new NotReadyError('the realm is being created');
    },
    userTokenClients: new Set(['opentalk']),
    publicClients: new Set(['valtimo']),
    metrics,
  };
  const tokens = new TokenEndpoint(deps);
  const app = createApp({ logger: noopLogger, routers: [exAppApiRouterWith(deps, tokens)] });
  const served: Served = { url: '', metrics, fastLaneTook: 0, close: () => undefined };
  const fastLane = tokenFastLane({ tokens, auth, logger: noopLogger });
  const server: Server = createHttpServer(
    app,
    withFastLane
      ? (req, res) => {
          const took = fastLane(req, res);
          if (took) served.fastLaneTook++;
          return took;
        }
      : undefined,
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return Object.assign(served, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  });
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

/** The answer, without what differs between any two requests (the request id, the lifetimes' seconds). */
async function ask(
  base: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  const res = await fetch(`${base}${target}`, { method: 'POST', headers, body });
  const json = (await res.json()) as Record<string, unknown>;
  const kept: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive'].includes(name)) kept[name] = value;
  });
  expect(kept['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  if ('requestId' in json) expect(json.requestId).toBe(kept['x-request-id']);
  kept['x-request-id'] = '…';
  for (const field of ['requestId', 'expires_in', 'refresh_expires_in'])
    if (field in json) json[field] = field === 'requestId' ? '…' : typeof json[field];
  // The length follows the lifetimes' digits, which may differ by a second between two requests.
  delete kept['content-length'];
  return { status: res.status, headers: kept, body: json };
}

const consumer = (user?: string): Record<string, string> => ({
  'x-api-secret': SECRET,
  ...(user === undefined ? {} : { 'x-nc-user-id': user }),
});

/** [what, target, headers, body?]: the requests consumers (and strangers) send, in this order. */
const CASES: [string, string, Record<string, string>, string?][] = [
  ['a token', '/api/token?client_id=opentalk', consumer('alice')],
  ['a cached token', '/api/token?client_id=opentalk', consumer('alice')],
  [
    'a cached token, with a body Koa does not read',
    '/api/token?client_id=opentalk',
    { ...consumer('alice'), 'content-type': 'application/json' },
    '{"x":1}',
  ],
  [
    'a consumer through HaRP (signed, anonymous)',
    '/api/token?client_id=opentalk',
    {
      ...consumer('alice'),
      ...appApiHeaders({ appId: 'keycloak', appVersion: '1.0.0', secret: APP_SECRET }, ''),
    },
  ],
  [
    'a bad AppAPI signature beside a good secret',
    '/api/token?client_id=opentalk',
    {
      ...consumer('alice'),
      ...appApiHeaders({ appId: 'keycloak', appVersion: '1.0.0', secret: new Secret('b'.repeat(40)) }, ''),
    },
  ],
  ['no client id', '/api/token?client_id=', consumer('alice')],
  ['a client id that is not an id', '/api/token?client_id=' + 'x'.repeat(300), consumer('alice')],
  ["a client outside the consumer's list", '/api/token?client_id=valtimo', consumer('alice')],
  ['a client on nobody’s list', '/api/token?client_id=nobody', consumer('alice')],
  ['no user header', '/api/token?client_id=opentalk', consumer()],
  ['a user id that is not an id', '/api/token?client_id=opentalk', consumer('..')],
  ['a user Nextcloud does not know', '/api/token?client_id=opentalk', consumer('carol')],
  ['a user Nextcloud has disabled', '/api/token?client_id=opentalk', consumer('bob')],
  [
    'a consumer without the token operation',
    '/api/token?client_id=opentalk',
    { 'x-api-secret': NO_TOKENS_SECRET, 'x-nc-user-id': 'alice' },
  ],
  ['a wrong secret', '/api/token?client_id=opentalk', { 'x-api-secret': 'wrong', 'x-nc-user-id': 'alice' }],
  [
    'a wrong secret again',
    '/api/token?client_id=opentalk',
    { 'x-api-secret': 'wrong', 'x-nc-user-id': 'alice' },
  ],
  [
    'a wrong secret a third time',
    '/api/token?client_id=opentalk',
    { 'x-api-secret': 'wrong', 'x-nc-user-id': 'alice' },
  ],
  [
    'a wrong secret over the limit',
    '/api/token?client_id=opentalk',
    { 'x-api-secret': 'wrong', 'x-nc-user-id': 'alice' },
  ],
  ['the right secret over the limit', '/api/token?client_id=opentalk', consumer('alice')],
  // Not the fast lane's: Koa answers these on both servers.
  ['another parameter', '/api/token?client_id=opentalk&scope=x', consumer('alice')],
  ['an encoded client id', '/api/token?client_id=open%74alk', consumer('alice')],
  ['a trailing slash', '/api/token/?client_id=opentalk', consumer('alice')],
  [
    'no secret (a browser), from a client still over the limit',
    '/api/token?client_id=opentalk',
    { 'x-nc-user-id': 'alice' },
  ],
];
const NOT_FAST = 4;

describe('the token fast lane', () => {
  let fast: Served;
  let koa: Served;

  beforeAll(async () => {
    const identityProvider = new InMemoryIdentityProvider('commonground');
    await identityProvider.reconcileRealm(contractRealmSpec('commonground', CLIENTS));
    const issueToken = new IssueToken({
      identityProvider,
      userDirectory: directory,
      passwordVault: await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32))),
      clock: systemClock,
      config: { allowedClientIds: CLIENTS },
    });
    // Granted once before: both servers then answer alice from the same cached token set.
    await issueToken.execute({ userId: 'alice', clientId: 'opentalk' });
    [fast, koa] = await Promise.all([serve(issueToken, true), serve(issueToken, false)]);
  });
  afterAll(() => {
    fast.close();
    koa.close();
  });

  it('answers every case as the Koa route does, and takes only the plain consumer form', async () => {
    const seen: string[] = [];
    for (const [what, target, headers, body] of CASES) {
      const viaFastLane = await ask(fast.url, target, headers, body);
      const viaKoa = await ask(koa.url, target, headers, body);
      expect(viaFastLane, what).toEqual(viaKoa);
      seen.push(`${what}: ${viaKoa.status} ${(viaKoa.body.code as string | undefined) ?? 'ok'}`);
    }
    expect(fast.fastLaneTook).toBe(CASES.length - NOT_FAST);
    // The cases mean what they say (the same wrong answer from both would pass the loop).
    expect(seen).toEqual([
      'a token: 200 ok',
      'a cached token: 200 ok',
      'a cached token, with a body Koa does not read: 200 ok',
      'a consumer through HaRP (signed, anonymous): 200 ok',
      'a bad AppAPI signature beside a good secret: 401 UNAUTHENTICATED',
      'no client id: 400 INVALID_INPUT',
      'a client id that is not an id: 400 INVALID_INPUT',
      "a client outside the consumer's list: 403 CLIENT_NOT_ALLOWED",
      'a client on nobody’s list: 403 CLIENT_NOT_ALLOWED',
      'no user header: 400 INVALID_INPUT',
      'a user id that is not an id: 400 INVALID_INPUT',
      'a user Nextcloud does not know: 404 USER_NOT_FOUND',
      'a user Nextcloud has disabled: 403 USER_DISABLED',
      'a consumer without the token operation: 403 FORBIDDEN',
      'a wrong secret: 401 UNAUTHENTICATED',
      'a wrong secret again: 401 UNAUTHENTICATED',
      'a wrong secret a third time: 401 UNAUTHENTICATED',
      'a wrong secret over the limit: 429 RATE_LIMITED',
      'the right secret over the limit: 200 ok',
      'another parameter: 400 INVALID_INPUT',
      'an encoded client id: 200 ok',
      'a trailing slash: 200 ok',
      'no secret (a browser), from a client still over the limit: 429 RATE_LIMITED',
    ]);
  });

  it('answers 503 with Retry-After while the realm is not ready, as Koa does', async () => {
    ready = false;
    try {
      const viaFastLane = await ask(fast.url, '/api/token?client_id=opentalk', consumer('alice'));
      expect(viaFastLane).toEqual(await ask(koa.url, '/api/token?client_id=opentalk', consumer('alice')));
      expect([viaFastLane.status, viaFastLane.headers['retry-after'], viaFastLane.body.code]).toEqual([
        503,
        '5',
        'NOT_READY',
      ]);
    } finally {
      ready = true;
    }
  });

  it('counts what it answers in the same metrics', async () => {
    const count = async (served: Served) =>
      (await served.metrics.registry.getSingleMetricAsString('keycloak_exapp_token_requests_total'))
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .sort();
    expect(await count(fast)).toEqual(await count(koa));
  });
});
