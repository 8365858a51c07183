import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { DerivedPasswordVault, Secret } from '@keycloak-exapp/core';
import { FakeNextcloud } from '@keycloak-exapp/fake-nextcloud';
import { KeycloakHttp, freePort } from '@keycloak-exapp/adapter-keycloak';
import { loadEnv } from '@keycloak-exapp/composition';
import { buildServer, type ServerContext } from '@keycloak-exapp/http-koa';
import { assertMatchesOpenApi } from './openapi-check.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export { infoXmlRoutes } from '@keycloak-exapp/test-support';
export const OPENTALK_SECRET = 'opentalk-consumer-secret-0123456789abcdef';
export const OPS_SECRET = 'operations-consumer-secret-0123456789abcdef';
export const CONSOLE_ADMIN = { username: 'nc-keycloak-admin', password: 'Console-Admin-Password-7f3a9c21e5' };

export interface ExAppHarness {
  readonly nc: FakeNextcloud;
  /** KC_HOSTNAME: Keycloak as browsers reach it, through the fake Nextcloud's HaRP-like proxy. */
  readonly issuerBase: string;
  /** A loopback port reserved for a relying party's redirect URI (registered for opentalk). */
  readonly rpPort: number;
  readonly server: ServerContext;
  readonly url: string;
  readonly storage: string;
  /** Every log line the server wrote, for secret scans. */
  readonly logs: () => string;
  /** Stops the server (and its Keycloak); the fake Nextcloud and the volume only if they were ours. */
  dispose(): Promise<void>;
}

export interface ExAppHarnessOptions {
  /** A fake Nextcloud to use (and leave running) instead of a new one. */
  readonly nc?: FakeNextcloud;
  /** An existing volume (APP_PERSISTENT_STORAGE) to start on, e.g. to restart the ExApp; kept. */
  readonly storage?: string;
}

/**
 * Every secret value a test file used or was handed: consumer and app secrets, and each token the
 * API returned (recorded by `call`). `leakedSecrets` looks for all of them in the server's logs.
 */
export const usedSecrets = new Set<string>([OPENTALK_SECRET, OPS_SECRET, CONSOLE_ADMIN.password]);

/** An answer body as JSON (undefined when it is not), its tokens recorded in `usedSecrets`. */
export function readAnswer(text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  recordTokens(parsed);
  return parsed;
}

function recordTokens(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  for (const field of ['access_token', 'refresh_token', 'id_token']) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length > 0) usedSecrets.add(value);
  }
}

/**
 * The secret values found in `logs`: every entry of `usedSecrets`, every value in the volume's
 * secrets file, and the vault password of each user in `userIds` (derived as the server does).
 */
export async function leakedSecrets(
  logs: string,
  storage: string,
  realm: string,
  userIds: readonly string[],
): Promise<string[]> {
  const stored = JSON.parse(readFileSync(`${storage}/keycloak-exapp-secrets.json`, 'utf8')) as Record<
    string,
    string
  >;
  const vault = await DerivedPasswordVault.fromKey(new Secret(stored.passwordKey!));
  const candidates = new Map<string, string>();
  for (const value of usedSecrets) candidates.set(value, 'a secret or token used in the test');
  for (const [name, value] of Object.entries(stored)) candidates.set(value, `stored secret ${name}`);
  for (const id of userIds)
    candidates.set((await vault.passwordFor(realm, id)).reveal(), `password of ${id}`);
  return [...candidates]
    .filter(([value]) => value.length >= 8 && logs.includes(value))
    .map(([, what]) => what);
}

/** An admin client on the harness's embedded Keycloak: the ExApp's own, its secret read from the volume. */
export function exAppKeycloakAdmin(h: ExAppHarness): KeycloakHttp {
  const { keycloakAdminClientSecret } = JSON.parse(
    readFileSync(join(h.storage, 'keycloak-exapp-secrets.json'), 'utf8'),
  ) as { keycloakAdminClientSecret: string };
  return new KeycloakHttp({
    baseUrl: h.server.keycloakUrl,
    admin: {
      kind: 'client',
      clientId: 'keycloak-exapp-admin',
      clientSecret: new Secret(keycloakAdminClientSecret),
    },
  });
}

/** The ExApp server (embedded Keycloak) behind a fake Nextcloud, as AppAPI would deploy it. */
export async function startExApp(
  overrides: Record<string, string> = {},
  options: ExAppHarnessOptions = {},
): Promise<ExAppHarness> {
  const nc = options.nc ?? (await new FakeNextcloud({ admins: ['admin'] }).start());
  usedSecrets.add(nc.exApp.secret);
  const issuerBase = `${nc.url}/exapps/${nc.exApp.appId}`;
  const rpPort = await freePort();
  const storage = options.storage ?? (await mkdtemp(join(tmpdir(), 'keycloak-exapp-e2e-')));
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  const env = loadEnv({
    APP_ID: nc.exApp.appId,
    APP_SECRET: nc.exApp.secret,
    APP_VERSION: nc.exApp.version,
    APP_HOST: '127.0.0.1',
    APP_PORT: '0',
    NEXTCLOUD_URL: `${nc.url}/index.php`,
    APP_PERSISTENT_STORAGE: storage,
    KEYCLOAK_CACHE_DIR: join(REPO_ROOT, '.keycloak'),
    KEYCLOAK_VERSION: process.env.KEYCLOAK_VERSION,
    KEYCLOAK_JAVA_HOME: process.env.KEYCLOAK_JAVA_HOME,
    // No KC_HOSTNAME: the server derives Keycloak's public base from NEXTCLOUD_URL and the proxy,
    // which for the fake's HaRP-like proxy is `issuerBase`.
    NEXTCLOUD_PROXY: 'harp',
    KEYCLOAK_API_CONSUMERS: JSON.stringify([
      { name: 'opentalk', secret: OPENTALK_SECRET, clientIds: ['opentalk'], operations: ['token'] },
      {
        name: 'operations',
        secret: OPS_SECRET,
        clientIds: ['opentalk', 'valtimo'],
        operations: ['token', 'sync', 'delete'],
      },
    ]),
    KEYCLOAK_REDIRECT_URIS: JSON.stringify({
      opentalk: ['https://talk.example.test/*', `http://127.0.0.1:${rpPort}/*`],
      valtimo: [`http://127.0.0.1:${rpPort}/*`],
    }),
    // The original's settings name the console admin (instead of a generated "admin").
    KC_BOOTSTRAP_ADMIN_USERNAME: CONSOLE_ADMIN.username,
    KC_BOOTSTRAP_ADMIN_PASSWORD: CONSOLE_ADMIN.password,
    DIRECTORY_TTL_SECONDS: '1',
    AUTH_FAILURES_PER_MINUTE: '100000',
    SYNC_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'debug',
    ...overrides,
  });
  const server = await buildServer(env, {
    logDestination: logStream,
    keycloakEnv: { JAVA_OPTS_APPEND: process.env.KEYCLOAK_TEST_JAVA_OPTS ?? '-XX:TieredStopAtLevel=1' },
  });
  const http = await server.listen();
  // In HaRP's FRP mode the server listens on a unix socket only; HaRP reaches it at APP_PORT on
  // its FRP server, which forwards to our frpc.
  const url =
    overrides.HP_SHARED_KEY && overrides.APP_PORT
      ? `http://127.0.0.1:${overrides.APP_PORT}`
      : `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  nc.exApp.target = { url };
  return {
    nc,
    issuerBase,
    rpPort,
    server,
    url,
    storage,
    logs: () => logText,
    async dispose() {
      await server.close();
      if (!options.nc) await nc.stop();
      if (!options.storage) await rm(storage, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: any;
  readonly text: string;
}

/** A raw HTTP call (fetch would refuse some of the hostile headers the tests send). */
export function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const url = new URL(path, base);
    // The path goes out exactly as written: `//`, `..` and escapes are what hostile-path tests send.
    const target = path.startsWith('/') ? path : `${url.pathname}${url.search}`;
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        const parsed = readAnswer(text);
        try {
          assertMatchesOpenApi(method, url, res.statusCode ?? 0, res.headers['content-type'] ?? '', text);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function appApiAs(nc: FakeNextcloud, user: string, secret = nc.exApp.secret): Record<string, string> {
  return {
    'authorization-app-api': Buffer.from(`${user}:${secret}`).toString('base64'),
    'ex-app-id': nc.exApp.appId,
    'ex-app-version': nc.exApp.version,
    'aa-version': '32.0.0',
  };
}
