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

const syncPassSchema = z.object({
  kind: z.enum(['full', 'cheap']),
  trigger: z.enum(['init', 'schedule', 'request']),
  pass: z.enum(['digest', 'verify']).optional(),
  started_at: z.string(),
  duration_ms: z.number(),
  outcome: z.enum(['done', 'failed']),
  counts: z.record(z.string(), z.int()),
  failed_users: z.int(),
  failures: z.array(z.object({ user_id: z.string(), code: z.string(), reason: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** `GET /api/status`: what the admin's page in Nextcloud shows (never a secret). */
export const statusSchema = z.object({
  keycloak: z.object({
    state: z.enum(['starting', 'ready', 'restarting', 'failed', 'stopped', 'external']),
    healthy: z.boolean(),
    reason: z.string().optional(),
    version: z.string().nullable(),
  }),
  realm: z.string(),
  issuer: z.string().meta({ description: 'The issuer consumers must configure.' }),
  consumers: z.array(
    z.object({ name: z.string(), client_ids: z.array(z.string()), operations: z.array(z.string()) }),
  ),
  user_token_clients: z.array(z.string()),
  sync: z.object({
    full: syncPassSchema.nullable(),
    cheap: syncPassSchema.nullable().meta({ description: "The reconcile loop's last cheap pass." }),
  }),
});
