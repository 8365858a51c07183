#!/usr/bin/env node
// The graph the server and the CLI use, in a plain Node script: `createExAppContainer` from
// @keycloak-exapp/composition binds the core, the Keycloak adapter and your own user directory,
// with one token cache shared by every use case. It loads no web layer (no Koa, no metrics).
//
//   KEYCLOAK_URL=http://127.0.0.1:8080 KEYCLOAK_ADMIN_CLIENT_ID=… KEYCLOAK_ADMIN_CLIENT_SECRET=… \
//   PASSWORD_KEY=<32+ random characters> node examples/embed-graph/sync-and-token.mjs \
//     examples/users.json alice [realm]
import { Secret, noopLogger } from '@keycloak-exapp/core';
import { loadRealmFile } from '@keycloak-exapp/adapter-keycloak';
import { createExAppContainer, resolveUseCases } from '@keycloak-exapp/composition';
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

const container = createExAppContainer({
  logger: noopLogger,
  // Keep this key (and so every user's password) stable: a new key re-sets each password once.
  passwordKey: new Secret(required('PASSWORD_KEY')),
  realmSpec: await loadRealmFile(undefined, { realm }),
  keycloak: {
    realm,
    connection: {
      baseUrl: required('KEYCLOAK_URL'),
      admin: {
        kind: 'client',
        clientId: required('KEYCLOAK_ADMIN_CLIENT_ID'),
        clientSecret: new Secret(required('KEYCLOAK_ADMIN_CLIENT_SECRET')),
      },
    },
  },
  users: { directory: () => new JsonUserDirectory(usersFile) },
  token: { allowedClientIds: ['opentalk'] },
});
const { bootstrapRealm, syncAllUsers, issueToken } = await resolveUseCases(container);

await bootstrapRealm.execute();
const report = await syncAllUsers.execute({});
const issued = await issueToken.execute({ userId, clientId: 'opentalk' });

// The token goes to stdout only (as the CLI does with --show-token); the summary to stderr.
console.error(
  `realm ${realm}: ${report.total} users (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged); token for ${userId}, ${issued.expiresIn} s`,
);
console.log(JSON.stringify({ access_token: issued.tokens.accessToken, expires_in: issued.expiresIn }));
