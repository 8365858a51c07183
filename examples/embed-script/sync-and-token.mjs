#!/usr/bin/env node
// The core in a plain Node script, with the Keycloak adapter only: create (or reconcile) a realm
// and its clients in an existing Keycloak, sync a users file into it, and print a token for one
// user. No Nextcloud, no server, no container library.
//
//   KEYCLOAK_URL=http://127.0.0.1:8080 KEYCLOAK_ADMIN_CLIENT_ID=… KEYCLOAK_ADMIN_CLIENT_SECRET=… \
//   PASSWORD_KEY=<32+ random characters> node examples/embed-script/sync-and-token.mjs \
//     examples/users.json alice [realm]
import {
  BootstrapRealm,
  DerivedPasswordVault,
  IssueToken,
  Secret,
  SyncAllUsers,
  systemClock,
} from '@keycloak-exapp/core';
import { KeycloakHttp, KeycloakIdentityProvider, loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { JsonUserDirectory } from '../json-user-directory.mjs';

const [usersFile = 'examples/users.json', userId = 'alice', realm = 'commonground'] = process.argv.slice(2);
const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
};

const http = new KeycloakHttp({
  baseUrl: required('KEYCLOAK_URL'),
  admin: {
    kind: 'client',
    clientId: required('KEYCLOAK_ADMIN_CLIENT_ID'),
    clientSecret: new Secret(required('KEYCLOAK_ADMIN_CLIENT_SECRET')),
  },
});
const identityProvider = new KeycloakIdentityProvider(http, realm);
const userDirectory = new JsonUserDirectory(usersFile);
// Keep this key (and so every user's password) stable: a new key re-sets each password once.
const passwordVault = await DerivedPasswordVault.fromKey(new Secret(required('PASSWORD_KEY')));

await new BootstrapRealm({
  identityProvider,
  realmSpec: await loadRealmFile(undefined, { realm }),
}).execute();
const report = await new SyncAllUsers({ identityProvider, userDirectory, clock: systemClock }).execute({});
const issued = await new IssueToken({
  identityProvider,
  userDirectory,
  passwordVault,
  clock: systemClock,
  config: { allowedClientIds: ['opentalk'] },
}).execute({ userId, clientId: 'opentalk' });

// The token goes to stdout only (as the CLI does with --show-token); the summary to stderr.
console.error(
  `realm ${realm}: ${report.total} users (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged); token for ${userId}, ${issued.expiresIn} s`,
);
console.log(JSON.stringify({ access_token: issued.tokens.accessToken, expires_in: issued.expiresIn }));
