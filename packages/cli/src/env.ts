import { resolve } from 'node:path';
import { z } from 'zod';
import {
  appApiSettingsForToolsSchema,
  keycloakSettingsSchema,
  syncSettingsSchema,
  tokenApiSettingsSchema,
} from '@keycloak-exapp/composition';

/**
 * The CLI's settings, read once from the environment (the only place the CLI reads it): the
 * server's schemas per concern, with AppAPI's values optional outside an ExApp container.
 */
const schema = appApiSettingsForToolsSchema
  .extend(keycloakSettingsSchema.shape)
  .extend(tokenApiSettingsSchema.shape)
  .extend(syncSettingsSchema.shape)
  .extend({
    /** An app password of NEXTCLOUD_ACTING_USER, for `--nextcloud-url` outside AppAPI. */
    NEXTCLOUD_APP_PASSWORD: z.string().optional(),
  });

export type CliEnv = Readonly<z.infer<typeof schema>>;

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment: ${z.prettifyError(parsed.error)}`);
  return Object.freeze({
    ...parsed.data,
    KEYCLOAK_CACHE_DIR: resolve(parsed.data.KEYCLOAK_CACHE_DIR),
    APP_PERSISTENT_STORAGE: resolve(parsed.data.APP_PERSISTENT_STORAGE),
  });
}
