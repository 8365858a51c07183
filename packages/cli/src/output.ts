import type { Logger } from '@keycloak-exapp/core';

/** Logs go to stderr as one line each, so stdout carries only results. */
export function stderrLogger(bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (obj: Record<string, unknown>, msg?: string) => {
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), ...bindings, ...obj, msg })}\n`,
    );
  };
  return {
    child: (more) => stderrLogger({ ...bindings, ...more }),
    debug: () => undefined,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}
