import { describe, expect, it } from 'vitest';
import { loadEnv } from '@keycloak-exapp/composition';

const base = {
  APP_ID: 'keycloak',
  APP_SECRET: 'app-secret-0123456789',
  APP_VERSION: '1',
  APP_PORT: '23000',
  NEXTCLOUD_URL: 'http://nc.local/index.php',
};

describe("the operator's settings for the embedded Keycloak", () => {
  it('passes KC_* options, JAVA_OPTS_APPEND and TZ on; not what the ExApp reads itself, KC_RUN_IN_CONTAINER (held back), nor anything else', () => {
    const env = loadEnv({
      ...base,
      KC_LOG_LEVEL: 'INFO,org.keycloak.events:DEBUG',
      KC_SPI_EVENTS_LISTENER_JBOSS_LOGGING_SUCCESS_LEVEL: 'info',
      KC_RUN_IN_CONTAINER: 'true',
      JAVA_OPTS_APPEND: '-Dfoo=bar',
      TZ: 'Europe/Amsterdam',
      KC_HOSTNAME: 'https://nc.example.nl/exapps/keycloak',
      KC_DB_PASSWORD: 'database-password',
      HOME: '/root',
    });
    expect(env.keycloakOperatorEnv).toEqual({
      KC_LOG_LEVEL: 'INFO,org.keycloak.events:DEBUG',
      KC_SPI_EVENTS_LISTENER_JBOSS_LOGGING_SUCCESS_LEVEL: 'info',
      JAVA_OPTS_APPEND: '-Dfoo=bar',
      TZ: 'Europe/Amsterdam',
    });
  });

  it('refuses the ones the ExApp sets itself, naming each and what to use instead', () => {
    expect(() => loadEnv({ ...base, KC_HTTP_PORT: '8080', KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: 'abc' })).toThrow(
      /KC_HTTP_PORT: got "8080", expected it unset: the ExApp sets it itself \(use KEYCLOAK_HTTP_PORT\)[\s\S]*KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: got a secret of 3 characters/,
    );
  });

  it('refuses KC_FEATURES with a prebuilt KEYCLOAK_HOME (the image), which cannot take a build-time option', () => {
    expect(() =>
      loadEnv({ ...base, KEYCLOAK_HOME: '/opt/keycloak', KC_FEATURES: 'client-secret-rotation' }),
    ).toThrow(
      /KC_FEATURES: got "client-secret-rotation", expected it unset with KEYCLOAK_HOME=\/opt\/keycloak: that Keycloak is prebuilt/,
    );
    // Without a prebuilt home the ExApp builds Keycloak with it, and it stays in Keycloak's settings.
    expect(loadEnv({ ...base, KC_FEATURES: 'client-secret-rotation' }).keycloakOperatorEnv).toEqual({
      KC_FEATURES: 'client-secret-rotation',
    });
  });
});
