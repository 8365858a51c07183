import type { z } from 'zod';

/**
 * The values a string schema has accepted, remembered so that a hot path (the cached token: the
 * same users and clients again and again) runs each distinct value through the schema once. A
 * value is remembered only after the schema accepted it, only when short (ids longer than
 * `maxLength` are always checked in full), and at most `maxValues` of them (then it starts over),
 * so the check is the schema's and memory stays bounded.
 */
export class AcceptedValues {
  readonly #accepted = new Set<string>();

  constructor(
    private readonly schema: z.ZodType<string>,
    private readonly maxValues = 20_000,
    private readonly maxLength = 128,
  ) {}

  /** Whether the schema accepts `value` (a schema without transforms: its output is the value). */
  accepts(value: unknown): value is string {
    if (typeof value === 'string' && this.#accepted.has(value)) return true;
    if (!this.schema.safeParse(value).success) return false;
    const accepted = value as string;
    if (accepted.length <= this.maxLength) {
      if (this.#accepted.size >= this.maxValues) this.#accepted.clear();
      this.#accepted.add(accepted);
    }
    return true;
  }
}
