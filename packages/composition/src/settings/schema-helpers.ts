import { z } from 'zod';

export const bool = z.stringbool();
export const seconds = z.coerce.number().int().min(0);
export const port = z.coerce.number().int().min(0).max(65_535);

/** A setting that holds JSON: parsed here, then held to `schema`, so a bad value names the variable. */
export function json<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** A comma-separated list: items trimmed, empty items dropped. */
export function commaList(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );
}
