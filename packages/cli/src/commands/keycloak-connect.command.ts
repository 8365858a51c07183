import { Command, Option } from 'commander';
import { ConfigurationError, Secret } from '@keycloak-exapp/core';
import {
  KeycloakHttp,
  KeycloakIdentityProvider,
  grantServiceAccount,
  loadRealmFile,
  type KeycloakAdminCredentials,
} from '@keycloak-exapp/adapter-keycloak';
import type { CliEnv } from '../env.js';
import { printJson } from '../output.js';

interface ConnectOptions {
  url: string;
  adminUser?: string;
  adminClient?: string;
  passwordStdin?: boolean;
  realm: string;
  clientId: string;
  json?: boolean;
}

async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

/** The administrator `connect` acts as once; its secret comes from the environment or stdin, never argv. */
async function oneTimeAdmin(
  opts: ConnectOptions,
  source: NodeJS.ProcessEnv,
): Promise<KeycloakAdminCredentials> {
  if (opts.adminUser) {
    const password = opts.passwordStdin ? await readStdinLine() : source.KEYCLOAK_CONNECT_ADMIN_PASSWORD;
    if (!password)
      throw new ConfigurationError(
        '--admin-user needs its password in KEYCLOAK_CONNECT_ADMIN_PASSWORD or on stdin (--password-stdin)',
      );
    return { kind: 'password', username: opts.adminUser, password: new Secret(password) };
  }
  if (opts.adminClient) {
    const secret = source.KEYCLOAK_CONNECT_ADMIN_CLIENT_SECRET;
    if (!secret)
      throw new ConfigurationError('--admin-client needs its secret in KEYCLOAK_CONNECT_ADMIN_CLIENT_SECRET');
    return { kind: 'client', clientId: opts.adminClient, clientSecret: new Secret(secret) };
  }
  throw new ConfigurationError('name the one-time administrator: --admin-user <name> or --admin-client <id>');
}

/**
 * `keycloak connect`: the one-time setup of external mode. As an administrator of an existing
 * Keycloak it creates the realm as the ExApp declares it, then a service-account client holding
 * only that realm's management roles, and prints the settings the ExApp runs with.
 */
export function keycloakConnectCommand(env: CliEnv, signal: AbortSignal, source: NodeJS.ProcessEnv): Command {
  return new Command('connect')
    .description(
      "prepare an existing Keycloak for external mode: the realm, and a service account with only that realm's management roles",
    )
    .requiredOption('--url <url>', 'where the ExApp reaches Keycloak (e.g. https://keycloak.example.nl)')
    .addOption(
      new Option(
        '--admin-user <name>',
        'a master administrator (password: KEYCLOAK_CONNECT_ADMIN_PASSWORD or stdin)',
      ).conflicts('adminClient'),
    )
    .option('--admin-client <id>', 'or a master admin client (secret: KEYCLOAK_CONNECT_ADMIN_CLIENT_SECRET)')
    .option('--password-stdin', "read the administrator's password from the first line of stdin")
    .option('--realm <name>', 'the realm the ExApp manages', env.KEYCLOAK_REALM)
    .option('--client-id <id>', "the ExApp's service-account client in master", 'keycloak-exapp')
    .option('--json', 'print the settings as JSON')
    .action(async (opts: ConnectOptions) => {
      const http = new KeycloakHttp({ baseUrl: opts.url, admin: await oneTimeAdmin(opts, source) });
      const spec = await loadRealmFile(env.KEYCLOAK_REALM_FILE, {
        realm: opts.realm,
        redirectUris: env.KEYCLOAK_REDIRECT_URIS,
        backchannelLogoutUrls: env.KEYCLOAK_BACKCHANNEL_LOGOUT_URLS,
      });
      const report = await new KeycloakIdentityProvider(http, opts.realm).reconcileRealm(spec, { signal });
      const grant = await grantServiceAccount(http, { clientId: opts.clientId, realm: opts.realm, signal });
      const settings = {
        KEYCLOAK_MODE: 'external',
        KEYCLOAK_URL: opts.url,
        KEYCLOAK_REALM: opts.realm,
        KEYCLOAK_ADMIN_CLIENT_ID: grant.clientId,
        KEYCLOAK_ADMIN_CLIENT_SECRET: grant.clientSecret.reveal(),
      };
      if (opts.json) {
        printJson({ settings, roles: grant.roles, clientCreated: grant.created, realm: report });
        return;
      }
      process.stderr.write(
        `realm ${opts.realm}: ${report.created.length} created, ${report.updated.length} updated; client ${grant.clientId} ${grant.created ? 'created' : 'kept'} with ${grant.roles.join(', ')}\n` +
          'set these on the ExApp (the secret is shown once here; keep it like a password):\n',
      );
      for (const [name, value] of Object.entries(settings)) process.stdout.write(`${name}=${value}\n`);
    });
}
