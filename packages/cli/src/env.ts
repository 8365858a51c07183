import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KEYCLOAK_VERSION } from '@keycloak-exapp/adapter-keycloak';

/** The CLI's settings, read once from the environment (the only place the CLI reads it). */
const schema = z.object({
  KEYCLOAK_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default(DEFAULT_KEYCLOAK_VERSION),
  KEYCLOAK_JAVA_HOME: z.string().optional(),
  KEYCLOAK_CACHE_DIR: z.string().default('.keycloak'),
});

export type CliEnv = Readonly<z.infer<typeof schema> & { KEYCLOAK_CACHE_DIR: string }>;

export function loadCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new Error(`invalid environment: ${z.prettifyError(parsed.error)}`);
  return Object.freeze({ ...parsed.data, KEYCLOAK_CACHE_DIR: resolve(parsed.data.KEYCLOAK_CACHE_DIR) });
}
