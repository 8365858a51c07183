import { resolve } from 'node:path';
import { z } from 'zod';
import {
  appApiSettingsForToolsSchema,
  keycloakSettingsSchema,
  parseSettings,
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
  const data = parseSettings(schema, source);
  return Object.freeze({
    ...data,
    KEYCLOAK_CACHE_DIR: resolve(data.KEYCLOAK_CACHE_DIR),
    APP_PERSISTENT_STORAGE: resolve(data.APP_PERSISTENT_STORAGE),
  });
}
