#!/usr/bin/env node
// Another service embedding the token API: its own Koa app, its own routes and its own
// authentication in front, and keycloak-exapp's token and sync API mounted under /identity.
// The core and the Keycloak adapter do the work; users come from this service's own directory.
//
//   KEYCLOAK_URL=… KEYCLOAK_ADMIN_CLIENT_ID=… KEYCLOAK_ADMIN_CLIENT_SECRET=… PASSWORD_KEY=… \
//   SERVICE_TOKENS='{"s3cr3t-token-of-the-talk-backend": "talk-backend"}' PORT=8090 \
//   node examples/embed-koa/server.mjs examples/users.json [realm]
import Koa from 'koa';
import Router from '@koa/router';
import {
  AccessCache,
  BootstrapRealm,
  DeleteUser,
  DerivedPasswordVault,
  IssueToken,
  Secret,
  SyncAllUsers,
  SyncUser,
  UnauthenticatedError,
  noopLogger,
  systemClock,
} from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider, loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { SyncJobs, errorHandler, requestContext, exAppApiRouter } from '@keycloak-exapp/http-koa';
import { JsonUserDirectory } from '../json-user-directory.mjs';

const [usersFile = 'examples/users.json', realm = 'commonground'] = process.argv.slice(2);
const env = (name) => {
  if (!process.env[name]) throw new Error(`set ${name}`);
  return process.env[name];
};

// 1. The core's graph, by hand: one access cache shared by every use case, so that a user that a
//    sync disables or deletes loses cached tokens at once.
const identityProvider = new KeycloakIdentityProvider(
  new KeycloakHttp({
    baseUrl: env('KEYCLOAK_URL'),
    admin: {
      kind: 'client',
      clientId: env('KEYCLOAK_ADMIN_CLIENT_ID'),
      clientSecret: new Secret(env('KEYCLOAK_ADMIN_CLIENT_SECRET')),
    },
  }),
  realm,
);
const userDirectory = new JsonUserDirectory(usersFile);
const clock = systemClock;
const accessCache = new AccessCache({ clock });
const allowedClientIds = ['opentalk', 'valtimo'];
await new BootstrapRealm({
  identityProvider,
  realmSpec: await loadRealmFile(undefined, { realm }),
}).execute();
const syncAll = new SyncAllUsers({ identityProvider, userDirectory, clock, accessCache });
const jobs = new SyncJobs({ clock });

// 2. This service's own authentication: a bearer token per calling service, mapped to what the
//    token API calls a consumer (a name, the clients and the operations it may use).
const tokens = new Map(Object.entries(JSON.parse(env('SERVICE_TOKENS'))));
const authenticate = (ctx) => {
  const presented = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
  const name = presented === undefined ? undefined : tokens.get(presented);
  if (!name) throw new UnauthenticatedError('send Authorization: Bearer <service token>');
  return {
    kind: 'consumer',
    consumer: { name, clientIds: new Set(allowedClientIds), operations: new Set(['token', 'sync']) },
  };
};

// 3. The app: its own routes, and the token API under /identity behind its own authentication.
const app = new Koa();
app.use(requestContext(noopLogger));
app.use(errorHandler);
const own = new Router();
own.get('/hello', (ctx) => {
  ctx.body = { service: 'embed-koa example', realm };
});
app.use(own.routes());
const identity = exAppApiRouter(
  {
    issueToken: new IssueToken({
      identityProvider,
      userDirectory,
      passwordVault: await DerivedPasswordVault.fromKey(new Secret(env('PASSWORD_KEY'))),
      clock,
      accessCache,
      config: { allowedClientIds },
    }),
    syncUser: new SyncUser({ identityProvider, userDirectory, accessCache, config: {} }),
    deleteUser: new DeleteUser({ identityProvider, accessCache }),
    syncJobs: { start: () => jobs.start(() => syncAll.execute({})), get: (id) => jobs.get(id) },
    authenticate,
  },
  '/identity',
);
app.use(identity.routes());
app.use(identity.allowedMethods());

const server = app.listen(Number(process.env.PORT ?? 8090), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
