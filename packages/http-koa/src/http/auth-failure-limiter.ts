import { RateLimitedError } from '@keycloak-exapp/core';

/**
 * Slows secret guessing: a client address that fails authentication `maxFailures` times within
 * `windowMs` gets 429 until the window has passed. Successful calls are never limited.
 */
export class AuthFailureLimiter {
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  assertAllowed(address: string): void {
    const entry = this.#current(address);
    if (entry && entry.count >= this.maxFailures) {
      throw new RateLimitedError('too many failed authentication attempts; try again later');
    }
  }

  recordFailure(address: string): void {
    const entry = this.#current(address) ?? { count: 0, windowStart: this.now() };
    entry.count++;
    this.#failures.set(address, entry);
    if (this.#failures.size > 10_000) {
      for (const [key, value] of this.#failures)
        if (this.now() - value.windowStart >= this.windowMs) this.#failures.delete(key);
    }
  }

  #current(address: string): { count: number; windowStart: number } | undefined {
    const entry = this.#failures.get(address);
    if (entry && this.now() - entry.windowStart >= this.windowMs) {
      this.#failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
