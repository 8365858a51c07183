import type { Logger } from '@keycloak-exapp/core';

interface KeycloakJsonLine {
  level?: string;
  loggerName?: string;
  message?: string;
  timestamp?: string;
}

/** Forwards one line of Keycloak's console (JSON format) to our logger at the matching level. */
export function forwardKeycloakLogLine(logger: Logger, line: string): void {
  const trimmed = line.trim();
  if (trimmed.length === 0) return;
  let parsed: KeycloakJsonLine | undefined;
  if (trimmed.startsWith('{')) {
    try {
      parsed = JSON.parse(trimmed) as KeycloakJsonLine;
    } catch {
      parsed = undefined;
    }
  }
  if (!parsed) {
    logger.info({ source: 'keycloak' }, trimmed);
    return;
  }
  const fields = { source: 'keycloak', kcLogger: parsed.loggerName, kcTime: parsed.timestamp };
  const message = parsed.message ?? '';
  switch (parsed.level) {
    case 'ERROR':
    case 'FATAL':
      logger.error(fields, message);
      return;
    case 'WARN':
      logger.warn(fields, message);
      return;
    case 'DEBUG':
    case 'TRACE':
      logger.debug(fields, message);
      return;
    default:
      logger.info(fields, message);
  }
}
