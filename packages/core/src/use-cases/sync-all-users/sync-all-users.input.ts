import { z } from 'zod';
import { deprovisionPolicySchema } from '../../config/core-config.schema.js';

export const syncAllUsersInputSchema = z
  .object({
    dryRun: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(64).optional(),
    deprovisionPolicy: deprovisionPolicySchema.optional(),
    /**
     * Compare with the identity provider itself (and repair drift), not with the saved digest.
     * Without a digest store, or without a saved digest, every pass does.
     */
    verify: z.boolean().optional(),
  })
  .strict();
export type SyncAllUsersInput = z.input<typeof syncAllUsersInputSchema>;
