import { z } from 'zod';
import { bool, commaList, json, seconds } from './schema-helpers.js';

/** KEYCLOAK_API_CONSUMERS: the consumer ExApps, each with its own secret, clients and operations. */
export const consumerListSchema = z.array(
  z
    .object({
      name: z.string().min(1),
      secret: z.string().min(16, 'a consumer secret needs at least 16 characters'),
      clientIds: z.array(z.string().min(1)).min(1),
      operations: z
        .array(z.enum(['token', 'sync', 'delete']))
        .min(1)
        .default(['token']),
    })
    .strict(),
);
export type ConsumerSpec = z.infer<typeof consumerListSchema>[number];

/** Who may call `/api/*`, for which clients, and how tokens are cached and queued. */
export const tokenApiSettingsSchema = z.object({
  KEYCLOAK_API_SECRET: z.string().optional(),
  KEYCLOAK_API_CONSUMERS: json(consumerListSchema).optional(),
  KEYCLOAK_ALLOWED_CLIENTS: commaList('opentalk,openzaak,openklant,valtimo,nextcloud'),
  KEYCLOAK_ALLOW_PUBLIC_DEFAULT_SECRET: bool.default(false),
  /** Clients a signed-in Nextcloud user may get tokens for themselves; default: none. */
  KEYCLOAK_USER_TOKEN_CLIENTS: commaList(''),
  /** Failed authentications per client address and minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  TOKEN_CACHE_ENABLED: bool.default(true),
  /** Token sets (user × client) kept in memory at most; the least recently used go first. */
  TOKEN_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(10_000),
  /** Token requests that may wait for Keycloak; beyond them 503 + Retry-After at once. */
  TOKEN_QUEUE_MAX: z.coerce.number().int().min(1).default(256),
  DIRECTORY_TTL_SECONDS: seconds.default(30),
});
