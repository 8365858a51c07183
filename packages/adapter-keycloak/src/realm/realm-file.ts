import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  ConfigurationError,
  clientIdSchema,
  type RealmSpec,
  type SignInEndpoints,
} from '@keycloak-exapp/core';
import { z } from 'zod';

/** The realm file shipped with the package (clients for OpenTalk, Open Zaak, Open Klant, Valtimo, Nextcloud). */
export const DEFAULT_REALM_FILE = fileURLToPath(
  new URL('../../realm/commonground.realm.json', import.meta.url),
);

const uri = z.string().min(1).max(2048);
const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => /^https?:\/\/[^\s]+$/.test(u) && URL.canParse(u), 'an http(s) URL');

/** OIDC back-channel logout of a client: where Keycloak posts the logout token. */
export const backchannelLogoutSchema = z
  .object({
    url: httpUrl,
    sessionRequired: z.boolean().default(true),
    revokeOfflineTokens: z.boolean().default(false),
  })
  .strict();

export const realmFileSchema = z
  .object({
    $comment: z.string().optional(),
    realm: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'realm names use letters, digits, "_" and "-"'),
    displayName: z.string().optional(),
    accessTokenLifespanSeconds: z.number().int().min(60).max(86_400).optional(),
    realmRoles: z.array(z.string().min(1)).default([]),
    defaultRoles: z.array(z.string().min(1)).default([]),
    groupRoles: z
      .array(
        z
          .object({
            group: z.string().min(1),
            realmRoles: z.array(z.string().min(1)).default([]),
            clientRoles: z.record(clientIdSchema, z.array(z.string().min(1))).default({}),
          })
          .strict(),
      )
      .default([]),
    groupClaims: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/)).default(['groups']),
    clients: z
      .array(
        z
          .object({
            clientId: clientIdSchema,
            name: z.string().optional(),
            publicClient: z.boolean(),
            standardFlow: z.boolean(),
            directAccessGrants: z.boolean(),
            serviceAccount: z.boolean(),
            redirectUris: z.array(uri).default([]),
            webOrigins: z.array(uri).default([]),
            audiences: z.array(clientIdSchema).default([]),
            roles: z.array(z.string().min(1)).default([]),
            backchannelLogout: backchannelLogoutSchema.optional(),
            exchangeFor: z.array(clientIdSchema).default([]),
          })
          .strict()
          .refine(
            (c) => !(c.publicClient && c.serviceAccount),
            'a public client cannot have a service account',
          )
          .refine((c) => !(c.publicClient && c.exchangeFor.length > 0), {
            error: 'a public client cannot exchange tokens (Keycloak lets confidential clients only)',
            path: ['exchangeFor'],
          }),
      )
      .min(1)
      .superRefine((clients, ctx) => {
        const declared = new Set(clients.map((c) => c.clientId));
        for (const [index, client] of clients.entries())
          for (const field of ['audiences', 'exchangeFor'] as const)
            for (const audience of client[field])
              if (!declared.has(audience))
                ctx.addIssue({
                  code: 'custom',
                  path: [index, field],
                  message: `"${audience}" is not a client of this realm file`,
                });
      }),
    signIn: z
      .object({
        alias: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'an alias uses lower-case letters, digits and "-"'),
        displayName: z.string().min(1).default('Nextcloud'),
        defaultLogin: z.boolean().default(true),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const realmRoles = new Set(file.realmRoles);
    const clientRoles = new Map(file.clients.map((c) => [c.clientId, new Set(c.roles)]));
    for (const [index, role] of file.defaultRoles.entries())
      if (!realmRoles.has(role))
        ctx.addIssue({
          code: 'custom',
          path: ['defaultRoles', index],
          message: `"${role}" is not in realmRoles`,
        });
    for (const [index, entry] of file.groupRoles.entries()) {
      for (const role of entry.realmRoles)
        if (!realmRoles.has(role))
          ctx.addIssue({
            code: 'custom',
            path: ['groupRoles', index, 'realmRoles'],
            message: `"${role}" is not in realmRoles`,
          });
      for (const [clientId, roles] of Object.entries(entry.clientRoles)) {
        const declared = clientRoles.get(clientId);
        for (const role of roles)
          if (!declared?.has(role))
            ctx.addIssue({
              code: 'custom',
              path: ['groupRoles', index, 'clientRoles', clientId],
              message: `"${role}" is not a role of client "${clientId}" in this file`,
            });
      }
    }
  });

export interface RealmFileOverrides {
  /** `KEYCLOAK_REALM`: renames the realm of the file. */
  readonly realm?: string | undefined;
  /** Redirect URIs per client id (the web origins follow from them). */
  readonly redirectUris?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * `KEYCLOAK_BACKCHANNEL_LOGOUT_URLS`: back-channel logout URL per client id (the consumers' own
   * addresses are known where they are deployed); the file's `sessionRequired` and
   * `revokeOfflineTokens` stay, or their defaults.
   */
  readonly backchannelLogoutUrls?: Readonly<Record<string, string>> | undefined;
  /** Where the sign-in broker goes (the running application knows): needed to reconcile `signIn`. */
  readonly signInEndpoints?: SignInEndpoints | undefined;
}

/** Reads and validates a realm file, applying the admin's overrides. */
export async function loadRealmFile(
  path: string = DEFAULT_REALM_FILE,
  overrides: RealmFileOverrides = {},
): Promise<RealmSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`realm file ${path} cannot be read as JSON`, { cause: error });
  }
  const parsed = realmFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`realm file ${path}: ${z.prettifyError(parsed.error)}`);
  const file = parsed.data;
  const clientIds = new Set(file.clients.map((c) => c.clientId));
  for (const clientId of Object.keys(overrides.backchannelLogoutUrls ?? {}))
    if (!clientIds.has(clientId))
      throw new ConfigurationError(
        `KEYCLOAK_BACKCHANNEL_LOGOUT_URLS names "${clientId}", which is not a client of realm file ${path}`,
      );
  return {
    realm: overrides.realm ?? file.realm,
    displayName: file.displayName,
    accessTokenLifespanSeconds: file.accessTokenLifespanSeconds,
    realmRoles: file.realmRoles,
    defaultRoles: file.defaultRoles,
    groupRoles: file.groupRoles,
    groupClaims: file.groupClaims,
    clients: file.clients.map((fileClient) => {
      const logoutUrl = overrides.backchannelLogoutUrls?.[fileClient.clientId];
      const client = logoutUrl
        ? { ...fileClient, backchannelLogout: logoutWithUrl(fileClient, logoutUrl) }
        : fileClient;
      const redirectUris = overrides.redirectUris?.[client.clientId];
      if (!redirectUris) return client;
      const origins = [
        ...new Set(
          redirectUris
            .map((u) => {
              try {
                return new URL(u.replace(/\*$/, '')).origin;
              } catch {
                return undefined;
              }
            })
            .filter((o): o is string => !!o),
        ),
      ];
      return { ...client, redirectUris: [...redirectUris], webOrigins: origins };
    }),
    ...(file.signIn ? { signIn: { ...file.signIn, endpoints: overrides.signInEndpoints } } : {}),
  };
}

function logoutWithUrl(
  client: { readonly clientId: string; readonly backchannelLogout?: unknown },
  url: string,
): z.infer<typeof backchannelLogoutSchema> {
  const parsed = backchannelLogoutSchema.safeParse({ ...(client.backchannelLogout as object), url });
  if (!parsed.success)
    throw new ConfigurationError(
      `KEYCLOAK_BACKCHANNEL_LOGOUT_URLS.${client.clientId}: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}
