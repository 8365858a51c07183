import type { Logger } from './logger.port.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** Records every entry (with inherited bindings) so tests can assert on, or scan, the log. */
export class CapturingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  debug(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: 'debug', obj: { ...this.bindings, ...obj }, msg });
  }

  info(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: 'info', obj: { ...this.bindings, ...obj }, msg });
  }

  warn(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: 'warn', obj: { ...this.bindings, ...obj }, msg });
  }

  error(obj: Record<string, unknown>, msg?: string): void {
    this.entries.push({ level: 'error', obj: { ...this.bindings, ...obj }, msg });
  }

  /** Everything logged, as one JSON text, for secret scans. */
  text(): string {
    return this.entries.map((e) => JSON.stringify(e)).join('\n');
  }
}
