import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '@keycloak-exapp/core';

/** Field paths that may carry secrets; pino replaces their values with [redacted]. */
export const REDACT_PATHS = [
  'authorization',
  'authorization-app-api',
  'x-api-secret',
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  '*.authorization',
  '*["authorization-app-api"]',
  '*["x-api-secret"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.clientSecret',
  '*.client_secret',
];

/**
 * A pino logger in the one format of the server and the CLI: a JSON line each, the level by name
 * (`"level":"info"`) and the time in ISO 8601, to stdout or a given stream.
 */
export function createLogger(
  level: string,
  destination?: { write(line: string): unknown },
): Logger & { pino: Pino } {
  const instance = pino(
    {
      level,
      base: { app: 'keycloak-exapp' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? process.stdout,
  );
  return Object.assign(instance as unknown as Logger, { pino: instance });
}
