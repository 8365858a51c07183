import { z } from 'zod';
import { port } from './schema-helpers.js';

/** What AppAPI injects into an ExApp (§1), required by the server. */
export const appApiSettingsSchema = z.object({
  APP_ID: z.string().regex(/^[a-z][a-z0-9_]*$/),
  APP_SECRET: z.string().min(1),
  APP_VERSION: z.string().min(1),
  APP_HOST: z.string().default('127.0.0.1'),
  APP_PORT: port,
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
  /** Start frpc without HaRP's CA (TLS that verifies nobody); off: no CA, no tunnel. */
  FRP_ALLOW_WITHOUT_CA: z.stringbool().default(false),
});

/** The same settings as the CLI reads them: outside an ExApp container each may be missing. */
export const appApiSettingsForToolsSchema = appApiSettingsSchema
  .pick({ AA_VERSION: true, APP_PERSISTENT_STORAGE: true, HP_SHARED_KEY: true })
  .extend({
    APP_ID: appApiSettingsSchema.shape.APP_ID.default('keycloak'),
    APP_SECRET: z.string().optional(),
    APP_VERSION: z.string().default('0.1.0'),
    NEXTCLOUD_URL: z.url().optional(),
  });

export const loggingSettingsSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
