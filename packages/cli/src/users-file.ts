import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigurationError, userIdSchema, type DirectoryUser } from '@keycloak-exapp/core';

/**
 * The users file format (`--users-file`): a JSON array of
 * `{ "id", "displayName"?, "email"?: string | null, "enabled"?: boolean, "groups"?: string[] }`.
 * Missing fields default to: displayName = id, email = null, enabled = true, groups = [].
 */
export const usersFileSchema = z.array(
  z
    .object({
      id: userIdSchema,
      displayName: z.string().optional(),
      email: z.email().nullable().optional(),
      enabled: z.boolean().default(true),
      groups: z.array(z.string().min(1)).default([]),
    })
    .strict(),
);

export async function readUsersFile(path: string): Promise<DirectoryUser[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`users file ${path} cannot be read as JSON`, { cause: error });
  }
  const parsed = usersFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigurationError(`users file ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.map((u) => ({
    id: u.id,
    displayName: u.displayName ?? u.id,
    email: u.email ?? null,
    enabled: u.enabled,
    groups: u.groups,
  }));
}
