import { EnvError, shownValue, type SettingProblem } from './settings-error.js';

/** What the operator may hand the embedded Keycloak, as its official image takes them. */
const PASSED = /^(KC_[A-Z0-9_]+|JAVA_OPTS_APPEND|TZ)$/;

/**
 * `KC_*` settings the ExApp sets itself, with what to use instead: set by an operator they would
 * be overridden, so they are refused with the way to get what was meant.
 */
export const KEYCLOAK_OWNED: Readonly<Record<string, string>> = {
  KC_HTTP_ENABLED: 'nothing: the embedded Keycloak listens on plain HTTP on loopback, behind the ExApp',
  KC_HTTP_HOST: 'nothing: the embedded Keycloak listens on loopback only',
  KC_HTTP_PORT: 'KEYCLOAK_HTTP_PORT',
  KC_HTTP_MANAGEMENT_PORT: 'nothing: the ExApp picks a free management port',
  KC_PROXY_HEADERS: 'nothing: the ExApp is the proxy and sets it',
  KC_HOSTNAME_STRICT: 'KC_HOSTNAME (unset, the ExApp derives the public base)',
  KC_LOG_CONSOLE_OUTPUT: 'nothing: the ExApp reads Keycloak’s JSON log lines',
  KC_BOOTSTRAP_ADMIN_CLIENT_ID: 'nothing: the ExApp’s own admin client, secret on the volume',
  KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: 'nothing: the ExApp’s own admin client, secret on the volume',
  KC_HEALTH_ENABLED: 'nothing: built in, the ExApp reads /health/ready',
};

/**
 * Held back for now: in Keycloak's `kc.sh`, `KC_RUN_IN_CONTAINER=true` sizes the heap from the
 * machine's memory (up to 70 %, starting at 50 %) where the ExApp's container has no memory limit,
 * instead of the 512 MB the ExApp is measured with. The image sets it; it takes effect once the
 * ExApp decides the heap from the container's limit itself.
 */
const HELD_BACK = new Set(['KC_RUN_IN_CONTAINER']);

/**
 * The operator's settings for the embedded Keycloak: every `KC_*` (log level, SPI options, …),
 * `JAVA_OPTS_APPEND` and `TZ`, except those the ExApp reads itself (`readByExApp`: its own
 * settings such as KC_HOSTNAME or KC_DB_URL, passed on its own way) and those it owns (refused).
 */
export function keycloakPassthrough(
  source: Readonly<Record<string, string | undefined>>,
  readByExApp: ReadonlySet<string>,
): Record<string, string> {
  const passed: Record<string, string> = {};
  const refused: SettingProblem[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || !PASSED.test(name) || readByExApp.has(name) || HELD_BACK.has(name)) continue;
    const instead = KEYCLOAK_OWNED[name];
    if (instead)
      refused.push({
        variable: name,
        got: shownValue(name, value),
        expected: `it unset: the ExApp sets it itself (use ${instead})`,
      });
    else passed[name] = value;
  }
  if (refused.length > 0) throw new EnvError(refused);
  return passed;
}
