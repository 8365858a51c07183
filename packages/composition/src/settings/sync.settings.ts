import { z } from 'zod';
import { seconds } from './schema-helpers.js';

/** How users are read from Nextcloud and written to Keycloak. */
export const syncSettingsSchema = z.object({
  NEXTCLOUD_ACTING_USER: z.string().min(1).default('admin'),
  /** Per request to Nextcloud; a GET that times out is retried twice before the call fails. */
  NEXTCLOUD_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  SYNC_INTERVAL_SECONDS: seconds.default(60),
  SYNC_FULL_EVERY: z.coerce.number().int().min(1).default(10),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  DEPROVISION_POLICY: z.enum(['disable', 'delete']).default('disable'),
});
