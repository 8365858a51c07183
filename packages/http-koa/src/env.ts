import { z } from 'zod';

const bool = z.stringbool();

/** A setting that holds JSON: parsed here, then held to `schema`, so a bad value names the variable. */
function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}
const seconds = z.coerce.number().int().min(0);

/**
 * Every setting the server reads, with its default. This is the only file of the server that
 * reads process.env; `appinfo/info.xml` declares the same names for AppAPI.
 */
export const envSchema = z.object({
  // AppAPI (§1): required, injected by AppAPI or exported for a manual-install daemon.
  APP_ID: z.string().regex(/^[a-z][a-z0-9_]*$/),
  APP_SECRET: z.string().min(1),
  APP_VERSION: z.string().min(1),
  APP_HOST: z.string().default('127.0.0.1'),
  APP_PORT: z.coerce.number().int().min(0).max(65_535),
  NEXTCLOUD_URL: z.url(),
  AA_VERSION: z.string().optional(),
  APP_PERSISTENT_STORAGE: z.string().default('.data'),
  /** Set by HaRP daemons: listen on a unix socket instead of TCP (§1 listening rule). */
  HP_SHARED_KEY: z.string().optional(),
  HP_EXAPP_SOCK: z.string().default('/tmp/exapp.sock'),
  /** Set by HaRP daemons in FRP mode: where HaRP's FRP server listens; frpc is started with them. */
  HP_FRP_ADDRESS: z.string().optional(),
  HP_FRP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** The image's frpc and the folder HaRP's FRP TLS certificates are mounted at. */
  FRPC_BINARY: z.string().default('frpc'),
  FRP_CERTS_DIR: z.string().default('/certs/frp'),

  // Keycloak.
  KEYCLOAK_MODE: z.enum(['embedded', 'external']).default('embedded'),
  KEYCLOAK_URL: z.url().optional(),
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().optional(),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().optional(),
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('commonground'),
  KEYCLOAK_REALM_FILE: z.string().optional(),
  /** JSON {"<clientId>": ["https://app.example/*"]}: redirect URIs per client (web origins follow). */
  KEYCLOAK_REDIRECT_URIS: json(z.record(z.string().min(1), z.array(z.string().min(1)))).optional(),
  KEYCLOAK_VERSION: z.string().optional(),
  KEYCLOAK_HOME: z.string().optional(),
  KEYCLOAK_JAVA_HOME: z.string().optional(),
  KEYCLOAK_CACHE_DIR: z.string().default('.keycloak'),
  KEYCLOAK_DB: z.enum(['dev-file', 'postgres']).optional(),
  /** Keycloak's own name for the same choice, as OpenRegister's compose files set it. */
  KC_DB: z.enum(['dev-file', 'postgres']).optional(),
  KEYCLOAK_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  KEYCLOAK_STOP_ON_DISABLE: bool.default(false),
  /** Keycloak's public base URL; unset, it is derived from NEXTCLOUD_URL and NEXTCLOUD_PROXY. */
  KC_HOSTNAME: z.url().optional(),
  /** The proxy of Nextcloud in front of the ExApp; unset: HaRP when HP_SHARED_KEY is set, else classic. */
  NEXTCLOUD_PROXY: z.enum(['harp', 'classic']).optional(),
  KC_HOSTNAME_ADMIN: z.string().optional(),
  /** The admin console's first administrator (the original's settings); unset: generated. */
  KC_BOOTSTRAP_ADMIN_USERNAME: z.string().min(1).optional(),
  KC_BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  KC_DB_URL: z.string().optional(),
  KC_DB_USERNAME: z.string().optional(),
  KC_DB_PASSWORD: z.string().optional(),
  JAVA_OPTS_KC_HEAP: z.string().optional(),

  // The token API and its consumers.
  KEYCLOAK_API_SECRET: z.string().optional(),
  KEYCLOAK_API_CONSUMERS: z.string().optional(),
  KEYCLOAK_ALLOWED_CLIENTS: z.string().default('opentalk,openzaak,openklant,valtimo,nextcloud'),
  KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET: bool.default(false),
  /** Failed authentications per client address and minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  TOKEN_CACHE_ENABLED: bool.default(true),
  /** Token sets (user × client) kept in memory at most; the least recently used go first. */
  TOKEN_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(10_000),
  /** Token requests that may wait for Keycloak; beyond them 503 + Retry-After at once. */
  TOKEN_QUEUE_MAX: z.coerce.number().int().min(1).default(256),
  DIRECTORY_TTL_SECONDS: seconds.default(30),

  // Sync.
  NEXTCLOUD_ACTING_USER: z.string().min(1).default('admin'),
  /** Per request to Nextcloud; a GET that times out is retried twice before the call fails. */
  NEXTCLOUD_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  SYNC_INTERVAL_SECONDS: seconds.default(60),
  SYNC_FULL_EVERY: z.coerce.number().int().min(1).default(10),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  DEPROVISION_POLICY: z.enum(['disable', 'delete']).default('disable'),

  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type ServerEnv = Readonly<
  Omit<z.infer<typeof envSchema>, 'KEYCLOAK_DB'> & { KEYCLOAK_DB: 'dev-file' | 'postgres' }
>;

export class EnvError extends Error {}

/** Passwords a console administrator must never have: defaults of images, guides and demos. */
const WEAK_PASSWORDS = new Set([
  'admin',
  'administrator',
  'password',
  'changeme',
  'keycloak',
  'secret',
  'welcome',
]);

/** Why a console admin password is refused, or undefined when it is acceptable. */
export function weakPasswordReason(password: string, username: string): string | undefined {
  const lower = password.toLowerCase();
  if (WEAK_PASSWORDS.has(lower.replace(/[^a-z]/g, '')) || lower === username.toLowerCase())
    return 'it is a well-known default or the username';
  if (password.length < 12) return 'it has fewer than 12 characters';
  if (new Set(password).size < 6) return 'it has fewer than 6 different characters';
  return undefined;
}

/** Parses the environment once; a bad value names the variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new EnvError(`invalid settings:\n${z.prettifyError(parsed.error)}`);
  const env = { ...parsed.data, KEYCLOAK_DB: parsed.data.KEYCLOAK_DB ?? parsed.data.KC_DB ?? 'dev-file' };
  if (
    env.KEYCLOAK_MODE === 'external' &&
    (!env.KEYCLOAK_URL || !env.KEYCLOAK_ADMIN_CLIENT_ID || !env.KEYCLOAK_ADMIN_CLIENT_SECRET)
  ) {
    throw new EnvError(
      'KEYCLOAK_MODE=external needs KEYCLOAK_URL, KEYCLOAK_ADMIN_CLIENT_ID and KEYCLOAK_ADMIN_CLIENT_SECRET',
    );
  }
  const { KC_BOOTSTRAP_ADMIN_USERNAME: user, KC_BOOTSTRAP_ADMIN_PASSWORD: password } = env;
  if ((user === undefined) !== (password === undefined))
    throw new EnvError(
      'KC_BOOTSTRAP_ADMIN_USERNAME and KC_BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither',
    );
  const weak = user !== undefined && password !== undefined ? weakPasswordReason(password, user) : undefined;
  if (weak)
    throw new EnvError(
      `KC_BOOTSTRAP_ADMIN_PASSWORD is refused because ${weak}: choose a long random password, or leave both unset to have one generated`,
    );
  return Object.freeze(env);
}
