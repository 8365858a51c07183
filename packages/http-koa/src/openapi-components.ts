import { ERROR_CODES } from '@keycloak-exapp/core';

/** The body of every failure: `{error, code}` (and the request id). */
const error = {
  description:
    'Every failure: a message for people, a stable code for programs, the request id of the log lines.',
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string', enum: [...ERROR_CODES] },
    requestId: { type: 'string' },
  },
} as const;

/** The security schemes and shared schemas of the API's OpenAPI document. */
export const OPENAPI_COMPONENTS = {
  securitySchemes: {
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
  },
  schemas: {
    Error: error,
    TokenSet: {
      type: 'object',
      required: ['access_token', 'refresh_token', 'id_token', 'expires_in', 'token_type'],
      additionalProperties: false,
      properties: {
        access_token: { type: 'string' },
        refresh_token: { type: ['string', 'null'] },
        id_token: { type: ['string', 'null'] },
        expires_in: { type: 'integer', minimum: 0 },
        token_type: { type: 'string' },
        refresh_expires_in: { type: 'integer', minimum: 0 },
        scope: { type: ['string', 'null'] },
        refresh_with: {
          enum: ['client_id', 'client_secret'],
          description:
            "How the refresh token is refreshed: `client_id` (a public client: at Keycloak's token endpoint with the client id alone) or `client_secret` (a confidential client: there with the client's secret, or by calling /api/token again).",
        },
      },
    },
    SyncReport: {
      type: 'object',
      required: [
        'dryRun',
        'total',
        'created',
        'updated',
        'disabled',
        'deleted',
        'unchanged',
        'failed',
        'durationMs',
      ],
      properties: {
        dryRun: { type: 'boolean' },
        total: { type: 'integer' },
        created: { type: 'integer' },
        updated: { type: 'integer' },
        disabled: { type: 'integer' },
        deleted: { type: 'integer' },
        unchanged: { type: 'integer' },
        durationMs: { type: 'number' },
        failed: {
          type: 'array',
          items: {
            type: 'object',
            required: ['userId', 'action', 'code', 'message'],
            properties: {
              userId: { type: 'string' },
              action: { type: 'string' },
              code: { type: 'string', enum: [...ERROR_CODES] },
              message: { type: 'string' },
            },
          },
        },
        plan: { type: 'object' },
      },
    },
    SyncJob: {
      type: 'object',
      required: ['job_id', 'status', 'report', 'error'],
      additionalProperties: false,
      properties: {
        job_id: { type: 'string' },
        status: { type: 'string', enum: ['running', 'done', 'failed'] },
        report: { oneOf: [{ $ref: '#/components/schemas/SyncReport' }, { type: 'null' }] },
        error: {
          oneOf: [
            {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
            { type: 'null' },
          ],
        },
      },
    },
  },
};
