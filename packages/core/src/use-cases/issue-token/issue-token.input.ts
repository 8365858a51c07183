import { z } from 'zod';
import { clientIdSchema, userIdSchema } from '../../config/core-config.schema.js';

export const issueTokenInputSchema = z.object({ userId: userIdSchema, clientId: clientIdSchema }).strict();
export type IssueTokenInput = z.input<typeof issueTokenInputSchema>;
