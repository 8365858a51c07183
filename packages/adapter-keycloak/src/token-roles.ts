import { decodeJwt } from 'jose';
import { z } from 'zod';

const rolesClaimsSchema = z
  .object({
    realm_access: z.object({ roles: z.array(z.string()) }).optional(),
    resource_access: z.record(z.string(), z.object({ roles: z.array(z.string()) })).optional(),
  })
  .loose();

/**
 * The role claims of a token this process got itself from Keycloak (its admin token), decoded with
 * jose; not verified: it is read to see what the account holds, never to trust a caller.
 */
export function rolesOfOwnToken(token: string): z.infer<typeof rolesClaimsSchema> {
  return rolesClaimsSchema.parse(decodeJwt(token));
}
