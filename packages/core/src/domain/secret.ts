const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A value that must never reach a log line or stdout by accident: JSON, string conversion and
 * Node's inspector all print `[redacted]`. Call `reveal()` at the one place that needs the value.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [INSPECT](): string {
    return 'Secret([redacted])';
  }
}
