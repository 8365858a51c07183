import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { toAppError } from '@keycloak-exapp/core';
import { Secret } from '@keycloak-exapp/core';
import {
  EXAPP_REALM_ROLES,
  KeycloakHttp,
  RUNTIME_REALM_ROLES,
  checkAdminRoles,
  loadRealmFile,
  runtimeAccountRoles,
  signInNames,
} from '@keycloak-exapp/adapter-keycloak';
import { NextcloudUserDirectory, NextcloudHttp } from '@keycloak-exapp/adapter-nextcloud';
import {
  PUBLIC_DEFAULT_SECRETS,
  RUNTIME_CLIENT_ID,
  SECRETS_FILE,
  keycloakPublicBase,
} from '@keycloak-exapp/composition';
import type { CliEnv } from '../env.js';
import { keycloakTarget, nextcloudConnection, type SourceOptions } from '../cli-context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface Check {
  readonly name: string;
  /** `skipped`: not run, because a check it needs failed (that one is the fault to fix). */
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it fails. */
  readonly fix: string;
}

async function check(name: string, fix: string, run: () => Promise<string>, needs?: Check): Promise<Check> {
  if (needs && needs.status !== 'ok')
    return { name, status: 'skipped', ok: false, detail: `not checked: needs "${needs.name}"`, fix };
  try {
    return { name, status: 'ok', ok: true, detail: await run(), fix };
  } catch (error) {
    return {
      name,
      status: 'failed',
      ok: false,
      detail:
        toAppError(error).message === 'unexpected error'
          ? (error as Error).message
          : toAppError(error).message,
      fix,
    };
  }
}

/**
 * A GET without credentials through the adapter's Keycloak client (its timeout and error words):
 * the status and the JSON body, if any.
 */
async function json(
  keycloak: KeycloakHttp,
  path: string,
  what: string,
): Promise<{ status: number; body: unknown }> {
  const res = await keycloak.raw('GET', path, { what });
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body };
}

/** Every precondition of a working installation, each with ✓/✗ and the fix. */
export async function runDoctor(env: CliEnv, source: SourceOptions): Promise<Check[]> {
  const checks: Check[] = [];
  let target: ReturnType<typeof keycloakTarget> | undefined;
  // Diagnosis reads Keycloak's admin API directly, outside the use-case graph.
  let http: KeycloakHttp | undefined;
  const reachable = await check(
    'Keycloak reachable and ready',
    'start Keycloak (the ExApp does at init) or fix KEYCLOAK_URL',
    async () => {
      target = keycloakTarget(env);
      http = new KeycloakHttp(target.connection);
      const res = await json(http, 'realms/master', 'read the master realm');
      if (res.status !== 200) throw new Error(`${target.baseUrl} answered ${res.status}`);
      return target.baseUrl;
    },
  );
  checks.push(reachable);
  const realm = env.KEYCLOAK_REALM;
  // Its public endpoint answers without credentials: a missing realm is not an account's fault.
  const realmExists = await check(
    `realm "${realm}" exists`,
    'run init again (AppAPI) to create it, or set KEYCLOAK_REALM to the realm the ExApp made',
    async () => {
      const res = await json(http!, `realms/${encodeURIComponent(realm)}`, `read realm ${realm}`);
      if (res.status === 404) throw new Error(`Keycloak has no realm "${realm}"`);
      if (res.status !== 200) throw new Error(`Keycloak answered ${res.status}`);
      return realm;
    },
    reachable,
  );
  checks.push(realmExists);
  const setupAccount = await check(
    'the setup account (realm reconcile at install, upgrade, keycloak connect) accepted, with its roles',
    'fix KEYCLOAK_ADMIN_CLIENT_ID/SECRET (or the secrets file on the volume); for an external Keycloak run `keycloak-exapp keycloak connect` again',
    async () => {
      const roles = await checkAdminRoles(http!, realm);
      if (roles.missing.length > 0)
        throw new Error(`the admin client lacks ${roles.missing.join(', ')} on realm ${realm}`);
      if (roles.source === 'probe')
        return `the token names no roles; reading ${realm}'s settings, clients, users and groups works`;
      return roles.isMasterAdmin
        ? "master's admin role (more than the ExApp needs)"
        : `the ${EXAPP_REALM_ROLES.length} realm-management roles of ${realm}, nothing more`;
    },
    realmExists,
  );
  checks.push(setupAccount);
  checks.push(
    await check(
      `the server's runtime account (${RUNTIME_CLIENT_ID}): ${RUNTIME_REALM_ROLES.join(', ')}, nothing more`,
      'run init again (AppAPI), or restart the server: its realm reconcile makes the account and sets its roles',
      async () => {
        const file = join(env.APP_PERSISTENT_STORAGE, SECRETS_FILE);
        const stored = JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as {
          keycloakRuntimeClientSecret?: string;
        };
        if (!stored.keycloakRuntimeClientSecret)
          return `no secrets file at ${file}: run doctor where the server's volume is to check its account`;
        const runtime = new KeycloakHttp({
          baseUrl: target!.baseUrl,
          admin: {
            kind: 'client',
            clientId: RUNTIME_CLIENT_ID,
            clientSecret: new Secret(stored.keycloakRuntimeClientSecret),
            realm,
          },
        });
        const { roles, beyond, missing } = await runtimeAccountRoles(runtime);
        if (beyond.length > 0) throw new Error(`it holds more than it needs: ${beyond.join(', ')}`);
        if (missing.length > 0) throw new Error(`it lacks ${missing.join(', ')}`);
        return roles.join(', ');
      },
      realmExists,
    ),
  );
  checks.push(
    await check(
      `realm "${realm}", user profile, clients and mappers as declared`,
      'run init again (AppAPI) or POST /api/sync-all after fixing Keycloak',
      async () => {
        const spec = await loadRealmFile(env.KEYCLOAK_REALM_FILE, { realm });
        const res = await http!.admin('GET', `admin/realms/${encodeURIComponent(realm)}`, {
          what: 'read realm',
        });
        if (res.statusCode !== 200) throw new Error(`realm ${realm} is missing`);
        const profile = JSON.parse(
          (
            await http!.admin('GET', `admin/realms/${realm}/users/profile`, {
              what: 'read user profile',
            })
          ).body,
        ) as { attributes: { name: string }[] };
        if (!profile.attributes.some((a) => a.name === 'nextcloud_id'))
          throw new Error('the user profile does not declare nextcloud_id');
        const clients = JSON.parse(
          (await http!.admin('GET', `admin/realms/${realm}/clients`, { what: 'list clients' })).body,
        ) as { id: string; clientId: string }[];
        const missing = spec.clients
          .filter((c) => !clients.some((x) => x.clientId === c.clientId))
          .map((c) => c.clientId);
        if (missing.length > 0) throw new Error(`clients missing: ${missing.join(', ')}`);
        for (const c of spec.clients) {
          const id = clients.find((x) => x.clientId === c.clientId)!.id;
          const mappers = JSON.parse(
            (
              await http!.admin('GET', `admin/realms/${realm}/clients/${id}/protocol-mappers/models`, {
                what: 'mappers',
              })
            ).body,
          ) as { name: string }[];
          for (const claim of spec.groupClaims)
            if (!mappers.some((m) => m.name === `nextcloud groups as ${claim}`))
              throw new Error(`client ${c.clientId} lacks the ${claim} mapper`);
        }
        return `${spec.clients.length} clients`;
      },
      setupAccount,
    ),
  );
  checks.push(
    await check(
      'issuer as the server derives it (KC_HOSTNAME, or NEXTCLOUD_URL and the proxy) and reachable',
      'set KC_HOSTNAME to the URL consumers reach Keycloak at, or NEXTCLOUD_PROXY (docs/admin-guide.md: Which URL is my issuer?)',
      async () => {
        const discovery = await json(
          http!,
          `realms/${encodeURIComponent(realm)}/.well-known/openid-configuration`,
          'read the discovery document',
        );
        const issuer = (discovery.body as { issuer?: string } | undefined)?.issuer;
        if (!issuer) throw new Error('no discovery document');
        // What the server chose (it records it next to Keycloak's ports), or what KC_HOSTNAME says.
        const base = env.KC_HOSTNAME
          ? keycloakPublicBase({
              ...env,
              KC_HOSTNAME: env.KC_HOSTNAME,
              NEXTCLOUD_URL: '',
              APP_ID: env.APP_ID,
            })
          : target!.publicBase;
        if (base && issuer !== `${base.url}/realms/${realm}`)
          throw new Error(`issuer ${issuer} is not ${base.url}/realms/${realm} (chosen from ${base.source})`);
        const atIssuer = new KeycloakHttp({ baseUrl: issuer, admin: target!.connection.admin });
        const reachable = await json(atIssuer, '.well-known/openid-configuration', 'read the issuer').catch(
          (e: unknown) => ({
            status: 0,
            body: String(e),
          }),
        );
        if (reachable.status !== 200)
          throw new Error(`issuer ${issuer} is not reachable from here (${reachable.status})`);
        return base
          ? `${issuer} (base from ${base.source})`
          : `${issuer} (no fixed hostname recorded: this Keycloak was not started by the server)`;
      },
      realmExists,
    ),
  );
  checks.push(
    await check(
      'sign in with Nextcloud: identity provider, flows, and the broker endpoints reachable',
      'run init again (AppAPI) or restart the server; an external Keycloak needs SIGN_IN_LISTEN and SIGN_IN_INTERNAL_URL (docs/consumer-guide.md: Sign in with Nextcloud)',
      async () => {
        const spec = await loadRealmFile(env.KEYCLOAK_REALM_FILE, { realm });
        if (!spec.signIn) return 'off: the realm file declares no signIn';
        // Keycloak's broker hands the browser on with redirects, which the classic proxy follows itself.
        const publicUrl = env.KC_HOSTNAME ?? target!.publicBase?.url;
        if (publicUrl?.includes('/apps/app_api/proxy/'))
          throw new Error(
            `Keycloak's pages are at ${publicUrl}, behind Nextcloud's classic proxy, which follows redirects on the server: no browser can sign in there; set KC_HOSTNAME to a direct URL of Keycloak, or run behind HaRP`,
          );
        const { alias } = spec.signIn;
        const names = signInNames(alias);
        const base = `admin/realms/${encodeURIComponent(realm)}`;
        const idp = await http!
          .admin('GET', `${base}/identity-provider/instances/${alias}`, {
            what: 'read identity provider',
          })
          .catch(() => undefined);
        if (!idp || idp.statusCode !== 200) throw new Error(`identity provider "${alias}" is missing`);
        const config = (JSON.parse(idp.body) as { config?: Record<string, string> }).config ?? {};
        const realmBody = JSON.parse((await http!.admin('GET', base, { what: 'read realm' })).body) as {
          browserFlow?: string;
        };
        if (spec.signIn.defaultLogin && realmBody.browserFlow !== names.browserFlow)
          throw new Error(
            `the realm's browser flow is "${realmBody.browserFlow}", not "${names.browserFlow}"`,
          );
        const flows = JSON.parse(
          (await http!.admin('GET', `${base}/authentication/flows`, { what: 'flows' })).body,
        ) as { alias: string }[];
        const missingFlow = [names.firstLoginFlow, names.browserFlow].find(
          (f) => !flows.some((x) => x.alias === f),
        );
        if (missingFlow) throw new Error(`flow "${missingFlow}" is missing`);
        if (!config.authorizationUrl?.endsWith('/sign-in/authorize'))
          throw new Error(
            `the identity provider's authorization URL is ${config.authorizationUrl ?? 'unset'}`,
          );
        // The token endpoint answers an unauthenticated client 401 invalid_client when it is there.
        const probe = await fetch(config.tokenUrl ?? 'http://invalid.', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=authorization_code&code=doctor',
          signal: AbortSignal.timeout(5000),
        }).catch((e: unknown) => new Error(String(e)));
        if (probe instanceof Error || probe.status !== 401)
          throw new Error(
            `the broker's token endpoint ${config.tokenUrl ?? '(unset)'} is not this ExApp's (${probe instanceof Error ? probe.message : `status ${probe.status}`}); is the server running?`,
          );
        return `${alias} → ${config.authorizationUrl}; Keycloak redeems codes at ${config.tokenUrl}`;
      },
      setupAccount,
    ),
  );
  if (!source.usersFile) {
    checks.push(
      await check(
        'Nextcloud reachable, AppAPI signature accepted, acting user is an admin',
        'check NEXTCLOUD_URL and APP_SECRET, and set NEXTCLOUD_ACTING_USER to a Nextcloud admin',
        async () => {
          const connection = nextcloudConnection(env, source);
          const directory = new NextcloudUserDirectory(
            new NextcloudHttp({ ...connection, requestTimeoutMs: 10_000 }),
            { actingUser: env.NEXTCLOUD_ACTING_USER },
          );
          const groups = await directory.getUserGroups(env.NEXTCLOUD_ACTING_USER);
          if (!groups) throw new Error(`acting user "${env.NEXTCLOUD_ACTING_USER}" is not visible`);
          if (!groups.includes('admin'))
            throw new Error(`acting user "${env.NEXTCLOUD_ACTING_USER}" is not a Nextcloud admin`);
          return `acting as ${env.NEXTCLOUD_ACTING_USER}`;
        },
      ),
    );
  }
  checks.push(
    await check(
      'consumer secret is not a public default',
      'set a strong KEYCLOAK_API_SECRET, or unset it to use the generated one',
      () => {
        const secrets = [env.KEYCLOAK_API_SECRET, ...(env.KEYCLOAK_API_CONSUMERS ?? []).map((c) => c.secret)];
        if (secrets.some((s) => s !== undefined && (PUBLIC_DEFAULT_SECRETS.has(s) || s.length < 16)))
          return Promise.reject(new Error('a public default or short consumer secret is configured'));
        return Promise.resolve(
          env.KEYCLOAK_API_SECRET || env.KEYCLOAK_API_CONSUMERS ? 'configured' : 'generated on the volume',
        );
      },
    ),
  );
  checks.push(
    await check(
      'persistent storage writable',
      'mount a writable volume at APP_PERSISTENT_STORAGE',
      async () => {
        await mkdir(env.APP_PERSISTENT_STORAGE, { recursive: true });
        const probe = join(env.APP_PERSISTENT_STORAGE, `.doctor-${randomUUID()}`);
        await writeFile(probe, 'ok');
        await rm(probe);
        return env.APP_PERSISTENT_STORAGE;
      },
    ),
  );
  return checks;
}

export function doctorCommand(env: CliEnv): Command {
  return new Command('doctor')
    .description('check every precondition and say how to fix what fails')
    .option('--users-file <path>', 'the users come from a file (skip the Nextcloud checks)')
    .option('--nextcloud-url <url>', 'check this Nextcloud with NEXTCLOUD_APP_PASSWORD')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: SourceOptions & { json?: boolean }) => {
      const checks = await runDoctor(env, opts);
      if (opts.json) printJson(checks);
      else {
        // One shape per line: a fault with its fix; a check that waits on a fault, without one.
        const mark = { ok: '✓', failed: '✗', skipped: '–' } as const;
        for (const c of checks) {
          process.stdout.write(`${mark[c.status]} ${c.name}: ${c.detail}\n`);
          if (c.status === 'failed') process.stdout.write(`    fix: ${c.fix}\n`);
        }
        const failed = checks.filter((c) => c.status === 'failed').length;
        const skipped = checks.filter((c) => c.status === 'skipped').length;
        if (failed > 0)
          process.stdout.write(
            `${failed} of ${checks.length} checks failed${skipped ? `; ${skipped} not checked until they pass` : ''}\n`,
          );
      }
      if (checks.some((c) => !c.ok)) process.exitCode = EXIT.doctorFailed;
    });
}
