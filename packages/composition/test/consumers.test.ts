import { describe, expect, it } from 'vitest';
import { ConsumerRegistry, buildConsumers, consumerListSchema, loadEnv } from '@keycloak-exapp/composition';

const allowed = ['opentalk', 'valtimo'];

describe('consumers', () => {
  it('makes KEYCLOAK_API_SECRET one consumer allowed every client and operation', () => {
    const { consumers } = buildConsumers({
      apiSecret: 'a-strong-secret-of-enough-length',
      generatedSecret: 'g'.repeat(43),
      allowedClientIds: allowed,
      allowPublicDefault: false,
    });
    expect(consumers).toHaveLength(1);
    expect([...consumers[0]!.clientIds]).toEqual(allowed);
    expect([...consumers[0]!.operations].sort()).toEqual(['delete', 'sync', 'token']);
  });

  it('uses the generated secret when none is configured', () => {
    const { consumers } = buildConsumers({
      generatedSecret: 'generated-secret-0123456789',
      allowedClientIds: allowed,
      allowPublicDefault: false,
    });
    expect(new ConsumerRegistry(consumers).match('generated-secret-0123456789')?.name).toBe('generated');
  });

  it('refuses the public default secret unless explicitly allowed, then warns', () => {
    expect(() =>
      buildConsumers({
        apiSecret: 'changeme',
        generatedSecret: 'x'.repeat(43),
        allowedClientIds: allowed,
        allowPublicDefault: false,
      }),
    ).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION', message: expect.stringContaining('public default') }),
    );
    const { warnings } = buildConsumers({
      apiSecret: 'changeme',
      generatedSecret: 'x'.repeat(43),
      allowedClientIds: allowed,
      allowPublicDefault: true,
    });
    expect(warnings).toEqual([expect.stringContaining('public default secret')]);
  });

  it('keeps each consumer of KEYCLOAK_API_CONSUMERS to its clients and operations', () => {
    const consumers = consumerListSchema.parse([
      {
        name: 'opentalk',
        secret: 'opentalk-secret-0123456789',
        clientIds: ['opentalk'],
        operations: ['token'],
      },
      { name: 'ops', secret: 'ops-secret-0123456789abcdef', clientIds: ['valtimo'], operations: ['sync'] },
    ]);
    const registry = new ConsumerRegistry(
      buildConsumers({
        consumers,
        generatedSecret: 'x'.repeat(43),
        allowedClientIds: allowed,
        allowPublicDefault: false,
      }).consumers,
    );
    expect(registry.match('opentalk-secret-0123456789')?.name).toBe('opentalk');
    expect(registry.match('ops-secret-0123456789abcdef')?.operations.has('token')).toBe(false);
    expect(registry.match('opentalk-secret-012345678')).toBeUndefined();
    expect(registry.match('')).toBeUndefined();
    expect(() =>
      buildConsumers({
        consumers: [
          { name: 'x', secret: 'long-enough-secret-123', clientIds: ['admin-cli'], operations: ['token'] },
        ],
        generatedSecret: 'x',
        allowedClientIds: allowed,
        allowPublicDefault: false,
      }),
    ).toThrow(/admin-cli/);
  });
});

/** The variables AppAPI always sets: the least a valid environment holds. */
const base = {
  APP_ID: 'keycloak',
  APP_SECRET: 's',
  APP_VERSION: '1',
  APP_PORT: '23000',
  NEXTCLOUD_URL: 'http://nc.local/index.php',
};

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    expect(loadEnv(base)).toMatchObject({
      KEYCLOAK_REALM: 'commonground',
      KEYCLOAK_MODE: 'embedded',
      NEXTCLOUD_ACTING_USER: 'admin',
      DIRECTORY_TTL_SECONDS: 30,
      KEYCLOAK_STOP_ON_DISABLE: false,
      DEPROVISION_POLICY: 'disable',
    });
  });
  it("accepts OpenRegister's KC_DB for the database choice", () => {
    expect(loadEnv({ ...base, KC_DB: 'postgres' }).KEYCLOAK_DB).toBe('postgres');
    expect(loadEnv({ ...base, KC_DB: 'postgres', KEYCLOAK_DB: 'dev-file' }).KEYCLOAK_DB).toBe('dev-file');
    expect(loadEnv(base).KEYCLOAK_DB).toBe('dev-file');
  });

  it('names the variable that is wrong or missing', () => {
    expect(() => loadEnv({ ...base, APP_PORT: 'eighty' })).toThrow(/APP_PORT/);
    expect(() => loadEnv({ ...base, NEXTCLOUD_URL: undefined })).toThrow(/NEXTCLOUD_URL/);
    expect(() => loadEnv({ ...base, KEYCLOAK_MODE: 'external' })).toThrow(/KEYCLOAK_URL/);
  });
});

describe('KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD', () => {
  it('accepts a strong pair and refuses a default, short or username-like password with a clear error', () => {
    expect(
      loadEnv({
        ...base,
        KC_BOOTSTRAP_ADMIN_USERNAME: 'kc-admin',
        KC_BOOTSTRAP_ADMIN_PASSWORD: 'x7Gv-93kd-Qm2p-LL0a',
      }).KC_BOOTSTRAP_ADMIN_USERNAME,
    ).toBe('kc-admin');
    for (const password of ['admin', 'Admin123', 'changeme!', 'kc-admin', 'aaaaaaaaaaaaaaaa', 'short-1A']) {
      expect(() =>
        loadEnv({ ...base, KC_BOOTSTRAP_ADMIN_USERNAME: 'kc-admin', KC_BOOTSTRAP_ADMIN_PASSWORD: password }),
      ).toThrow(
        /KC_BOOTSTRAP_ADMIN_PASSWORD: got a secret of \d+ characters? \(not shown\), refused because it/,
      );
    }
    expect(() => loadEnv({ ...base, KC_BOOTSTRAP_ADMIN_USERNAME: 'kc-admin' })).toThrow(/go together/);
    expect(loadEnv(base).KC_BOOTSTRAP_ADMIN_USERNAME).toBeUndefined(); // unset: generated, as before
  });
});

describe('KEYCLOAK_REDIRECT_URIS', () => {
  it('is parsed and checked once, at start, and a bad value names the variable', () => {
    expect(
      loadEnv({ ...base, KEYCLOAK_REDIRECT_URIS: '{"opentalk":["https://talk.example.nl/*"]}' })
        .KEYCLOAK_REDIRECT_URIS,
    ).toEqual({
      opentalk: ['https://talk.example.nl/*'],
    });
    expect(() => loadEnv({ ...base, KEYCLOAK_REDIRECT_URIS: '{opentalk:' })).toThrow(
      /KEYCLOAK_REDIRECT_URIS: got "\{opentalk:", expected valid JSON/,
    );
    expect(() => loadEnv({ ...base, KEYCLOAK_REDIRECT_URIS: '{"opentalk":"https://x/*"}' })).toThrow(
      /KEYCLOAK_REDIRECT_URIS/,
    );
  });
});
