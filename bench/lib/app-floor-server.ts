// Two steps between the Koa floor and the real server (issue 29), to say where a cached token's
// cost lies: our app (createApp with the token router, real consumer authentication, metrics,
// cache-hit log and logger) in front of a stub that answers one fixed token set (`http`), or in
// front of the real IssueToken over in-memory fakes with a warm cache (`core`).
// Run as its own process with the image's flags: `app-floor-server.ts <http|core> <users> <secret> <port>`.
import { Writable } from 'node:stream';
import {
  AccessCache,
  DerivedPasswordVault,
  IssueToken,
  Secret,
  systemClock,
  type TokenSet,
} from '@keycloak-exapp/core';
import {
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';
import { AppApiRequestVerifier } from '@keycloak-exapp/adapter-nextcloud';
import { ConsumerRegistry, createLogger } from '@keycloak-exapp/composition';
import {
  AuthFailureLimiter,
  CacheHitLog,
  ServerMetrics,
  authenticate,
  createApp,
  TokenEndpoint,
  createHttpServer,
  exAppApiRouterWith,
  tokenFastLane,
} from '@keycloak-exapp/http-koa';
import type { Context } from 'koa';

const [mode, usersArg, secret, port] = process.argv.slice(2);
const users = Number(usersArg);
const CLIENT = 'opentalk';
// The server's logger, writing nowhere: what it costs to format a line is counted, not the pipe.
const logger = createLogger('info', new Writable({ write: (_chunk, _enc, done) => done() }));
const metrics = new ServerMetrics(() => ({ state: 'external', restarts: 0 }));
const auth = {
  verifier: new AppApiRequestVerifier('keycloak', new Secret('s'.repeat(40))),
  consumers: new ConsumerRegistry([
    {
      name: 'bench',
      secret: new Secret(secret!),
      clientIds: new Set([CLIENT]),
      operations: new Set(['token']),
    },
  ]),
  limiter: new AuthFailureLimiter(60),
  trustOriginIp: false,
};

async function issueToken(): Promise<Pick<IssueToken, 'cached' | 'execute' | 'isClientAllowed'>> {
  if (mode === 'http') {
    const tokens: TokenSet = {
      accessToken: 'a'.repeat(1400),
      refreshToken: 'r'.repeat(800),
      idToken: 'i'.repeat(1200),
      tokenType: 'Bearer',
      scope: 'openid profile email',
      expiresIn: 300,
      expiresAt: Date.now() + 3_600_000,
      refreshExpiresAt: Date.now() + 3_600_000,
    };
    const issued = { tokens, expiresIn: 3600, source: 'cache' as const, waitedForDirectory: false };
    return { isClientAllowed: () => true, cached: () => issued, execute: () => Promise.resolve(issued) };
  }
  const idp = new InMemoryIdentityProvider('bench');
  await idp.reconcileRealm(contractRealmSpec('bench', [CLIENT]));
  const ids = Array.from({ length: users }, (_, i) => `u${i}`);
  const directory = new InMemoryUserDirectory(
    ids.map((id) => ({ id, displayName: id, email: `${id}@example.test`, enabled: true, groups: ['staff'] })),
  );
  const token = new IssueToken({
    identityProvider: idp,
    userDirectory: directory,
    passwordVault: await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32))),
    clock: systemClock,
    accessCache: new AccessCache(),
    config: { allowedClientIds: [CLIENT], directoryTtlMs: 3_600_000 },
  });
  for (const userId of ids) await token.execute({ userId, clientId: CLIENT });
  return token;
}

const deps = {
  issueToken: (await issueToken()) as IssueToken,
  syncUser: {} as never,
  deleteUser: {} as never,
  authenticate: (ctx: Context) => authenticate(ctx, auth),
  metrics,
  cacheHitLog: new CacheHitLog(logger),
};
// As the server wires it: the token route and the fast lane in front of Koa share one endpoint.
const tokens = new TokenEndpoint(deps);
const app = createApp({ logger, routers: [exAppApiRouterWith(deps, tokens)] });
createHttpServer(app, tokenFastLane({ tokens, auth, logger })).listen(Number(port), '127.0.0.1', () =>
  process.stdout.write(`listening ${port}\n`),
);
process.on('SIGTERM', () => process.exit(0));
