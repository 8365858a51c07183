import { z } from 'zod';
import { ERROR_CODES, userIdSchema } from '@keycloak-exapp/core';

/**
 * What `/api/*` takes and answers, as zod schemas: the routes validate with the input ones
 * (`userIdSchema`, `clientIdSchema` from core) and the OpenAPI document (openapi.ts) is generated
 * from all of them with zod's JSON Schema output.
 */

const errorCode = z.enum(ERROR_CODES);

export const errorBodySchema = z
  .looseObject({ error: z.string(), code: errorCode, requestId: z.string().optional() })
  .meta({
    description:
      'Every failure: a message for people, a stable code for programs, the request id of the log lines.',
  });

export const tokenSetSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string().nullable(),
  id_token: z.string().nullable(),
  expires_in: z.int().min(0),
  token_type: z.string(),
  refresh_expires_in: z.int().min(0).optional(),
  scope: z.string().nullable().optional(),
  refresh_with: z.enum(['client_id', 'client_secret']).optional().meta({
    description:
      "How the refresh token is refreshed: `client_id` (a public client: at Keycloak's token endpoint with the client id alone) or `client_secret` (a confidential client: there with the client's secret, or by calling /api/token again).",
  }),
});

export const syncReportSchema = z.looseObject({
  dryRun: z.boolean(),
  total: z.int(),
  created: z.int(),
  updated: z.int(),
  disabled: z.int(),
  deleted: z.int(),
  unchanged: z.int(),
  durationMs: z.number(),
  failed: z.array(
    z.looseObject({ userId: z.string(), action: z.string(), code: errorCode, message: z.string() }),
  ),
  plan: z.looseObject({}).optional(),
});

export const syncJobSchema = z.object({
  job_id: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  report: syncReportSchema.nullable(),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
});

export const syncJobStartedSchema = z.object({
  job_id: z.string(),
  status: z.string(),
  status_url: z.string(),
});

export const userIdBodySchema = z.looseObject({
  user_id: userIdSchema.meta({ description: 'The Nextcloud user id.' }),
});

export const userOutcomeSchema = (outcomes: readonly [string, ...string[]]) =>
  z.object({ user_id: z.string(), outcome: z.enum(outcomes) });

/** `?async=` and `?verify=` of `/api/sync-all`. */
export const flagQuerySchema = z.enum(['0', '1', 'true', 'false']);
