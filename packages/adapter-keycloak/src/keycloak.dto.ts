import { z } from 'zod';

// Only the parts of Keycloak's representations we read; unknown keys pass through untouched.

export const userRepresentationSchema = z.looseObject({
  id: z.string(),
  username: z.string(),
  enabled: z.boolean().optional(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
  email: z.string().nullish(),
  attributes: z.record(z.string(), z.array(z.string())).nullish(),
});
export type UserRepresentation = z.infer<typeof userRepresentationSchema>;

export const groupRepresentationSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.array(z.string())).nullish(),
});
export type GroupRepresentation = z.infer<typeof groupRepresentationSchema>;

export const clientRepresentationSchema = z.looseObject({
  id: z.string(),
  clientId: z.string(),
  attributes: z.record(z.string(), z.string()).nullish(),
});
export type ClientRepresentation = z.infer<typeof clientRepresentationSchema>;

export const tokenResponseSchema = z.object({
  access_token: z.string(),
  expires_in: z.number(),
  refresh_token: z.string().optional(),
  refresh_expires_in: z.number().optional(),
  id_token: z.string().optional(),
  token_type: z.string(),
  scope: z.string().optional(),
});

export const protocolMapperSchema = z.looseObject({ id: z.string().optional(), name: z.string() });

export const userProfileSchema = z.looseObject({
  attributes: z.array(z.looseObject({ name: z.string() })),
  unmanagedAttributePolicy: z.string().optional(),
});
export type UserProfileConfig = z.infer<typeof userProfileSchema>;
