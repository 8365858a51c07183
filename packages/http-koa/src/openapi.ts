import { z } from 'zod';
import { clientIdSchema } from '@keycloak-exapp/core';
import {
  errorBodySchema,
  flagQuerySchema,
  statusSchema,
  syncJobSchema,
  syncJobStartedSchema,
  syncReportSchema,
  tokenSetSchema,
  userIdBodySchema,
  userOutcomeSchema,
} from './api-schemas.js';

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); a shared one (SHARED) as its `$ref`
 * into `components.schemas`.
 */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const shared = SHARED.get(schema);
  if (shared) return { $ref: `#/components/schemas/${shared.id}` };
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return rest;
}

/** The schemas under `components.schemas`, by name; elsewhere they appear as `$ref`. */
const SHARED = z.registry<{ id: string }>();
SHARED.add(errorBodySchema, { id: 'Error' });
SHARED.add(tokenSetSchema, { id: 'TokenSet' });
SHARED.add(syncReportSchema, { id: 'SyncReport' });
SHARED.add(syncJobSchema, { id: 'SyncJob' });

function sharedSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(SHARED, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, { $schema: _, $id: __, ...rest }]) => [name, rest]),
  );
}

/** How callers authenticate: a consumer's secret, or AppAPI's signature (docs/security-model.md). */
const SECURITY_SCHEMES = {
  consumerSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-SECRET',
    description:
      "A consumer ExApp's secret (KEYCLOAK_API_SECRET or KEYCLOAK_API_CONSUMERS); checked behind either proxy too.",
  },
  appApi: {
    type: 'apiKey',
    in: 'header',
    name: 'AUTHORIZATION-APP-API',
    description:
      'base64(<user>:<APP_SECRET>) with EX-APP-ID and EX-APP-VERSION, as AppAPI and its proxies sign requests. An empty user is anonymous on these routes.',
  },
};

const json = (schema: z.ZodType) => ({ 'application/json': { schema: jsonSchema(schema) } });

const errorResponse = (description: string) => ({ description, content: json(errorBodySchema) });

const failures = {
  '400': errorResponse('Invalid input (malformed JSON, unknown query parameter, bad user or client id).'),
  '401': errorResponse(
    'No valid credentials: a consumer secret, or a signature of a logged-in Nextcloud user.',
  ),
  '403': errorResponse('Authenticated, but not allowed (operation, client, or another user).'),
  '429': errorResponse('Too many failed authentications from this client; comes with Retry-After.'),
  '503': errorResponse(
    'Keycloak is not ready, the realm not yet bootstrapped, or too many token requests wait.',
  ),
  '405': errorResponse('A method the route does not take.'),
  '413': errorResponse('The body is too large.'),
  '415': errorResponse('The body is not JSON.'),
  '431': errorResponse('The request headers are too large.'),
};

const userIdBody = { required: true, content: json(userIdBodySchema) } as const;

const bothSchemes = [{ consumerSecret: [] }, { appApi: [] }];

/** An OpenAPI 3.1 document, as far as its readers here need it: the paths and their operations. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> } & Readonly<
    Record<string, unknown>
  >;
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * The contract of `/api/*` and `/metrics` as OpenAPI 3.1, served at `GET /api/openapi.json`,
 * generated from the zod schemas of api-schemas.ts. The end-to-end tests validate every answer they
 * receive from these routes against it.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'keycloak-exapp API',
    version: '1',
    description:
      "Keycloak tokens for Nextcloud users, server-side, and user sync; the original Python ExApp's request and answer fields. Auth model: docs/security-model.md.",
  },
  components: { securitySchemes: SECURITY_SCHEMES, schemas: sharedSchemas() },
  paths: {
    '/api/token': {
      post: {
        summary:
          'Keycloak tokens for a Nextcloud user (cached per user and client, renewed with the refresh grant)',
        security: bothSchemes,
        parameters: [
          { name: 'client_id', in: 'query', required: true, schema: jsonSchema(clientIdSchema) },
          {
            name: 'X-NC-USER-ID',
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description:
              'The Nextcloud user (required for a consumer; a signed user may get tokens only for themselves).',
          },
        ],
        responses: {
          '200': {
            description: 'A token set for the user and client.',
            content: json(tokenSetSchema),
          },
          ...failures,
          '404': errorResponse('The user is unknown to Nextcloud.'),
          '502': errorResponse('Keycloak refused the grant or answered an error.'),
          '504': errorResponse('Keycloak or Nextcloud did not answer in time.'),
        },
      },
    },
    '/api/sync-user': {
      post: {
        summary:
          "Brings one user's Keycloak account in line with Nextcloud (profile data always from Nextcloud)",
        security: bothSchemes,
        requestBody: userIdBody,
        responses: {
          '200': {
            description: 'What was done.',
            content: json(
              userOutcomeSchema(['create', 'update', 'disable', 'delete', 'unchanged', 'absent']),
            ),
          },
          ...failures,
          '502': errorResponse('Nextcloud or Keycloak answered an error.'),
          '504': errorResponse('Nextcloud or Keycloak did not answer in time.'),
        },
      },
    },
    '/api/delete-user': {
      post: {
        summary: 'Deletes the Keycloak account of a user this ExApp manages',
        security: bothSchemes,
        requestBody: userIdBody,
        responses: {
          '200': {
            description: 'Deleted, or there was nothing to delete.',
            content: json(userOutcomeSchema(['deleted', 'absent'])),
          },
          ...failures,
          '502': errorResponse('Keycloak answered an error.'),
        },
      },
    },
    '/api/sync-all': {
      post: {
        summary: 'Syncs every Nextcloud user (one job at a time; a second call joins the running one)',
        security: bothSchemes,
        parameters: [
          {
            name: 'async',
            in: 'query',
            required: false,
            schema: jsonSchema(flagQuerySchema),
          },
          {
            name: 'verify',
            in: 'query',
            required: false,
            description:
              'Compare with Keycloak itself and repair drift (an account edited or deleted in Keycloak by hand); without it, the sync compares Nextcloud with the digest of the last pass and reads only changed users from Keycloak.',
            schema: jsonSchema(flagQuerySchema),
          },
        ],
        responses: {
          '200': {
            description: 'The report, when not async.',
            content: json(syncReportSchema),
          },
          '202': {
            description: 'The job started (async): poll its status URL.',
            content: json(syncJobStartedSchema),
          },
          ...failures,
          '502': errorResponse(
            'The sync failed (Nextcloud or Keycloak); nothing was deprovisioned on a partial listing.',
          ),
        },
      },
    },
    '/api/sync-all/jobs/{id}': {
      get: {
        summary: 'A sync job (finished jobs are kept 1 h, at most 100)',
        security: bothSchemes,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The job.',
            content: json(syncJobSchema),
          },
          ...failures,
          '404': errorResponse('No such job (or it is no longer kept).'),
        },
      },
    },
    '/api/openapi.json': {
      get: {
        summary: 'This document',
        security: [],
        responses: {
          '200': {
            description: 'OpenAPI 3.1',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
    '/api/status': {
      get: {
        summary:
          "The admin's view: Keycloak's state and version, the issuer, the consumers and their clients, the last sync passes (a consumer allowed to sync, or a Nextcloud admin)",
        security: bothSchemes,
        responses: {
          '200': { description: 'The status.', content: json(statusSchema) },
          ...failures,
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (a consumer allowed to sync, or a Nextcloud admin)',
        security: bothSchemes,
        responses: {
          '200': {
            description: 'Prometheus text format.',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...failures,
        },
      },
    },
  },
} as const;
