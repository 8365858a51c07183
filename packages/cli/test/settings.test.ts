import { describe, expect, it } from 'vitest';
import { loadEnv } from '@keycloak-exapp/composition';
import { loadCliEnv } from '../src/env.js';

/** The variables AppAPI always sets: the least a valid server environment holds. */
const base = {
  APP_ID: 'keycloak',
  APP_SECRET: 's',
  APP_VERSION: '1',
  APP_PORT: '23000',
  NEXTCLOUD_URL: 'http://nc.local/index.php',
};

describe('KEYCLOAK_API_CONSUMERS and KEYCLOAK_ALLOWED_CLIENTS', () => {
  const consumers = JSON.stringify([
    { name: 'opentalk', secret: 'opentalk-secret-0123456789', clientIds: ['opentalk'] },
  ]);

  it('are parsed at start, by the server and the CLI alike, and a bad value names the variable', () => {
    for (const load of [loadEnv, loadCliEnv]) {
      const env = load({ ...base, KEYCLOAK_API_CONSUMERS: consumers, KEYCLOAK_ALLOWED_CLIENTS: ' a, ,b ' });
      expect(env.KEYCLOAK_API_CONSUMERS).toEqual([
        {
          name: 'opentalk',
          secret: 'opentalk-secret-0123456789',
          clientIds: ['opentalk'],
          operations: ['token'],
        },
      ]);
      expect(env.KEYCLOAK_ALLOWED_CLIENTS).toEqual(['a', 'b']);
      expect(load(base).KEYCLOAK_ALLOWED_CLIENTS).toEqual([
        'opentalk',
        'openzaak',
        'openklant',
        'valtimo',
        'nextcloud',
      ]);
      expect(() => load({ ...base, KEYCLOAK_API_CONSUMERS: '{' })).toThrow(
        /KEYCLOAK_API_CONSUMERS: got a secret of 1 character \(not shown\), expected valid JSON/,
      );
      expect(() =>
        load({
          ...base,
          KEYCLOAK_API_CONSUMERS: JSON.stringify([{ name: 'x', secret: 'short', clientIds: ['opentalk'] }]),
        }),
      ).toThrow(
        /KEYCLOAK_API_CONSUMERS: got a secret of \d+ characters \(not shown\), expected .*16 characters/,
      );
    }
  });
});

describe('settings shared by the server and the CLI', () => {
  it('have the same defaults in both', () => {
    const server = loadEnv(base);
    const cli = loadCliEnv(base);
    for (const name of [
      'KEYCLOAK_REALM',
      'KEYCLOAK_VERSION',
      'KEYCLOAK_MODE',
      'DEPROVISION_POLICY',
      'NEXTCLOUD_ACTING_USER',
      'TOKEN_CACHE_MAX_ENTRIES',
      'SYNC_CONCURRENCY',
    ] as const)
      expect(cli[name], name).toEqual(server[name]);
  });
});
