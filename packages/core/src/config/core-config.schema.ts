import { z } from 'zod';

/** Ids as the directory gives them: non-empty, no control characters, bounded. */
export const userIdSchema = z
  .string()
  .min(1, 'user id is empty')
  .max(1024, 'user id is longer than 1024 characters')
  // eslint-disable-next-line no-control-regex
  .refine((id) => !/[\u0000-\u001f\u007f-\u009f]/u.test(id), 'user id contains control characters')
  .refine((id) => id.trim().length > 0, 'user id is blank')
  // In a URL path `.` and `..` are dot segments: `cloud/users/..` would read `cloud/`.
  .refine((id) => id !== '.' && id !== '..', 'user id may not be "." or ".."');

export const clientIdSchema = z
  .string()
  .min(1, 'client id is empty')
  .max(255)
  .regex(/^[A-Za-z0-9._:-]+$/, 'client id may contain only letters, digits, ".", "_", ":" and "-"');

export const deprovisionPolicySchema = z.enum(['disable', 'delete']);

export const syncConfigSchema = z.object({
  /** Parallel identity-provider writes during a sync. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** What happens to a managed user whose directory account is gone. */
  deprovisionPolicy: deprovisionPolicySchema.default('disable'),
  pageSize: z.number().int().min(1).max(1000).default(500),
  /**
   * New users are created in batches of this size where the identity provider can (Keycloak's
   * partial import: 2.4× faster than per-user calls for 1 000 users); 0 creates one by one.
   */
  bulkCreateBatchSize: z.number().int().min(0).max(1000).default(100),
});
export type SyncConfig = z.infer<typeof syncConfigSchema>;

export const tokenConfigSchema = z.object({
  /** The only client ids tokens may be issued for (never Keycloak's own clients). */
  allowedClientIds: z.array(clientIdSchema).min(1),
  /** How long a directory check of a user is trusted. */
  directoryTtlMs: z.number().int().min(0).default(30_000),
  /**
   * A directory check that finds the profile unchanged reuses the identity provider's account read
   * no longer ago than this; older, it reads the account again (drift made in Keycloak by hand).
   */
  identityProviderRecheckMs: z.number().int().min(0).default(300_000),
  /** A cached access token is served while it has more than this left. */
  refreshMarginMs: z.number().int().min(0).default(30_000),
  isTokenCacheEnabled: z.boolean().default(true),
  /** Token sets (one per user and client) the cache keeps at most; least recently used go first. */
  maxCachedTokenSets: z.number().int().min(1).default(10_000),
  /**
   * Directory checks of distinct users that may run at once; a request that would start one more
   * gets OVERLOADED (503) at once. Bounds what a caller naming many unknown ids costs Nextcloud,
   * Keycloak and memory.
   */
  maxConcurrentDirectoryChecks: z.number().int().min(1).default(64),
  /** Users and (user, client) pairs whose last renewal ahead failed, remembered at most. */
  maxRememberedRenewalFailures: z.number().int().min(1).default(10_000),
  scope: z.string().default('openid profile email'),
  deprovisionPolicy: deprovisionPolicySchema.default('disable'),
});
export type TokenConfig = z.infer<typeof tokenConfigSchema>;
export type TokenConfigInput = z.input<typeof tokenConfigSchema>;
