import { z } from 'zod';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';
import { bool, commaList, json, port, seconds } from './schema-helpers.js';

const database = z.enum(['dev-file', 'postgres']);

/** Which Keycloak, how it runs and what the realm holds: shared by the server and the CLI. */
export const keycloakSettingsSchema = z.object({
  KEYCLOAK_MODE: z.enum(['embedded', 'external']).default('embedded'),
  KEYCLOAK_URL: z.url().optional(),
  /** External mode: one node's management interface (health, metrics), for `/keycloak-management/…`. */
  KEYCLOAK_MANAGEMENT_URL: z.url().optional(),
  KEYCLOAK_ADMIN_CLIENT_ID: z.string().optional(),
  KEYCLOAK_ADMIN_CLIENT_SECRET: z.string().optional(),
  KEYCLOAK_REALM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('commonground'),
  KEYCLOAK_REALM_FILE: z.string().optional(),
  /** JSON {"<clientId>": ["https://app.example/*"]}: redirect URIs per client (web origins follow). */
  KEYCLOAK_REDIRECT_URIS: json(z.record(z.string().min(1), z.array(z.string().min(1)))).optional(),
  /** JSON {"<clientId>": "https://app.example/logout"}: OIDC back-channel logout URL per client. */
  KEYCLOAK_BACKCHANNEL_LOGOUT_URLS: json(z.record(z.string().min(1), z.string().min(1))).optional(),
  KEYCLOAK_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default(DEFAULT_KEYCLOAK_VERSION),
  KEYCLOAK_HOME: z.string().optional(),
  KEYCLOAK_JAVA_HOME: z.string().optional(),
  /** The operator's JDK: used for Keycloak when KEYCLOAK_JAVA_HOME is unset and its Java is supported. */
  JAVA_HOME: z.string().optional(),
  KEYCLOAK_CACHE_DIR: z.string().default('.keycloak'),
  KEYCLOAK_DB: database.optional(),
  /** Keycloak's own name for the same choice, as OpenRegister's compose files set it. */
  KC_DB: database.optional(),
  KEYCLOAK_HTTP_PORT: port.default(0),
  KEYCLOAK_STOP_ON_DISABLE: bool.default(false),
  /** How long the embedded Keycloak may be starting or restarting before `/heartbeat` says unhealthy. */
  KEYCLOAK_UNHEALTHY_AFTER_SECONDS: seconds.min(1).default(300),
  /** Keycloak's public base URL; unset, it is derived from NEXTCLOUD_URL and NEXTCLOUD_PROXY. */
  KC_HOSTNAME: z.url().optional(),
  /** The proxy of Nextcloud in front of the ExApp; unset: HaRP when HP_SHARED_KEY is set, else classic. */
  NEXTCLOUD_PROXY: z.enum(['harp', 'classic']).optional(),
  KC_HOSTNAME_ADMIN: z.string().optional(),
  /**
   * Sign in with Nextcloud: the token and user endpoints Keycloak's broker calls are served on a
   * listener of their own, never behind Nextcloud's proxies. `SIGN_IN_LISTEN` is where it binds
   * (default 127.0.0.1 on a free port: the embedded Keycloak); `SIGN_IN_INTERNAL_URL` is how
   * Keycloak reaches it (default http://127.0.0.1:<that port>). An external Keycloak needs both.
   */
  SIGN_IN_LISTEN: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 0.0.0.0:23001')
    .optional(),
  SIGN_IN_INTERNAL_URL: z.url().optional(),
  /** The admin console's first administrator (the original's settings); unset: generated. */
  KC_BOOTSTRAP_ADMIN_USERNAME: z.string().min(1).optional(),
  KC_BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  KC_DB_URL: z.string().optional(),
  KC_DB_USERNAME: z.string().optional(),
  KC_DB_PASSWORD: z.string().optional(),
  JAVA_OPTS_KC_HEAP: z.string().optional(),
  /** Clients whose password grant may come through the public Keycloak proxy; default: none. */
  KEYCLOAK_PROXY_PASSWORD_GRANT_CLIENTS: commaList(''),
  /** How long the Keycloak proxy waits for Keycloak's answer to start (504 after). */
  KEYCLOAK_PROXY_TIMEOUT_SECONDS: seconds.min(1).default(60),
  /** The largest request body the Keycloak proxy passes on (413 beyond). */
  KEYCLOAK_PROXY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
});

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
