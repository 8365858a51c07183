import { OPENAPI_COMPONENTS } from './openapi-components.js';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

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

const userIdBody = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['user_id'],
        properties: { user_id: { type: 'string', description: 'The Nextcloud user id.' } },
      },
    },
  },
} as const;

const userOutcome = (outcomes: readonly string[]) => ({
  type: 'object',
  required: ['user_id', 'outcome'],
  additionalProperties: false,
  properties: { user_id: { type: 'string' }, outcome: { type: 'string', enum: outcomes } },
});

const bothSchemes = [{ consumerSecret: [] }, { appApi: [] }];

/**
 * The contract of `/api/*` and `/metrics` as OpenAPI 3.1, served at `GET /api/openapi.json`. The
 * end-to-end tests validate every answer they receive from these routes against it.
 */
/** An OpenAPI 3.1 document, as far as its readers here need it: the paths and their operations. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> } & Readonly<
    Record<string, unknown>
  >;
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'keycloak-exapp API',
    version: '1',
    description:
      'Keycloak tokens for Nextcloud users, server-side, and user sync; the original Python ExApp\'s request and answer fields. Auth model: docs/security-model.md.',
  },
  components: OPENAPI_COMPONENTS,
  paths: {
    '/api/token': {
      post: {
        summary:
          'Keycloak tokens for a Nextcloud user (cached per user and client, renewed with the refresh grant)',
        security: bothSchemes,
        parameters: [
          { name: 'client_id', in: 'query', required: true, schema: { type: 'string' } },
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
            content: { 'application/json': { schema: { $ref: '#/components/schemas/TokenSet' } } },
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
            content: {
              'application/json': {
                schema: userOutcome(['create', 'update', 'disable', 'delete', 'unchanged', 'absent']),
              },
            },
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
            content: { 'application/json': { schema: userOutcome(['deleted', 'absent']) } },
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
            schema: { type: 'string', enum: ['0', '1', 'true', 'false'] },
          },
          {
            name: 'verify',
            in: 'query',
            required: false,
            description:
              'Compare with Keycloak itself and repair drift (an account edited or deleted in Keycloak by hand); without it, the sync compares Nextcloud with the digest of the last pass and reads only changed users from Keycloak.',
            schema: { type: 'string', enum: ['0', '1', 'true', 'false'] },
          },
        ],
        responses: {
          '200': {
            description: 'The report, when not async.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SyncReport' } } },
          },
          '202': {
            description: 'The job started (async): poll its status URL.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['job_id', 'status', 'status_url'],
                  additionalProperties: false,
                  properties: {
                    job_id: { type: 'string' },
                    status: { type: 'string' },
                    status_url: { type: 'string' },
                  },
                },
              },
            },
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
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SyncJob' } } },
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
