import { z } from 'zod';
import { deprovisionPolicySchema } from '../../config/core-config.schema.js';

export const syncAllUsersInputSchema = z
  .object({
    dryRun: z.boolean().default(false),
    concurrency: z.number().int().min(1).max(64).optional(),
    deprovisionPolicy: deprovisionPolicySchema.optional(),
  })
  .strict();
export type SyncAllUsersInput = z.input<typeof syncAllUsersInputSchema>;
