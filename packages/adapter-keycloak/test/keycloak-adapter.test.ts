import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapturingLogger } from '@keycloak-exapp/core/testing';
import {
  findJavaHome,
  forwardKeycloakLogLine,
  keycloakEnvironment,
  loadRealmFile,
  supportedJavaMajors,
  wantedUserProfile,
} from '@keycloak-exapp/adapter-keycloak';

describe('keycloakEnvironment', () => {
  it('passes KC_* and the heap knob like the official image, and nothing else', () => {
    const env = keycloakEnvironment(
      {
        KC_DB: 'postgres',
        JAVA_OPTS_KC_HEAP: '-Xmx1g',
        APP_SECRET: 'x',
        KEYCLOAK_API_SECRET: 'y',
        NODE_OPTIONS: '--inspect',
      },
      '/jdk',
      { PATH: '/usr/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'z' },
    );
    expect(env).toEqual({
      JAVA_HOME: '/jdk',
      PATH: '/usr/bin',
      HOME: '/root',
      KC_DB: 'postgres',
      JAVA_OPTS_KC_HEAP: '-Xmx1g',
    });
  });
});

describe('findJavaHome', () => {
  it('prefers Temurin 25 for 26.6+ and 21 or 17 for 26.5', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jvm-'));
    for (const name of ['temurin-25-jdk-amd64', 'java-17-openjdk-amd64']) {
      await mkdir(join(dir, name, 'bin'), { recursive: true });
      await writeFile(join(dir, name, 'bin', 'java'), '');
    }
    expect(supportedJavaMajors('26.7.3')).toEqual([25, 21, 17]);
    expect(findJavaHome('26.7.3', { jvmDir: dir })).toBe(join(dir, 'temurin-25-jdk-amd64'));
    expect(findJavaHome('26.5.6', { jvmDir: dir })).toBe(join(dir, 'java-17-openjdk-amd64'));
    expect(() => findJavaHome('26.5.6', { jvmDir: join(dir, 'none') })).toThrow(
      expect.objectContaining({ code: 'CONFIGURATION' }),
    );
    expect(() => findJavaHome('26.7.3', { explicit: join(dir, 'nope') })).toThrow(/KEYCLOAK_JAVA_HOME/);
  });

  it("honours the operator's JAVA_HOME when Keycloak supports its Java, and says why when not", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jvm-'));
    const jdk = async (name: string, version: string): Promise<string> => {
      await mkdir(join(dir, name, 'bin'), { recursive: true });
      await writeFile(join(dir, name, 'bin', 'java'), '');
      await writeFile(
        join(dir, name, 'release'),
        `IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="${version}"\n`,
      );
      return join(dir, name);
    };
    const mine = await jdk('my-jdk-21', '21.0.8');
    const old = await jdk('my-jdk-11', '11.0.2');
    const found = await jdk('temurin-25-jdk-amd64', '25.0.3');
    expect(findJavaHome('26.7.3', { javaHome: mine, jvmDir: dir })).toBe(mine);
    // KEYCLOAK_JAVA_HOME still wins over it.
    expect(findJavaHome('26.7.3', { explicit: found, javaHome: mine, jvmDir: dir })).toBe(found);
    // Java 11 cannot run Keycloak 26: the search goes on, and names the JAVA_HOME it passed over.
    expect(findJavaHome('26.7.3', { javaHome: old, jvmDir: dir })).toBe(found);
    expect(() => findJavaHome('26.7.3', { javaHome: old, jvmDir: join(dir, 'none') })).toThrow(
      /JAVA_HOME=.*my-jdk-11 is Java 11.*wants Java 25 or 21 or 17/,
    );
  });
});

describe('forwardKeycloakLogLine', () => {
  it('maps Keycloak JSON log levels and keeps plain lines', () => {
    const logger = new CapturingLogger();
    forwardKeycloakLogLine(logger, '{"level":"WARN","loggerName":"org.keycloak","message":"careful"}');
    forwardKeycloakLogLine(logger, '{"level":"ERROR","message":"boom"}');
    forwardKeycloakLogLine(logger, 'JAVA_OPTS already set');
    forwardKeycloakLogLine(logger, '   ');
    expect(logger.entries.map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'careful'],
      ['error', 'boom'],
      ['info', 'JAVA_OPTS already set'],
    ]);
  });
});

describe('loadRealmFile', () => {
  it('loads the shipped realm and applies the realm name and redirect URIs', async () => {
    const spec = await loadRealmFile(undefined, {
      realm: 'gemeente',
      redirectUris: { nextcloud: ['https://cloud.example.nl/apps/user_oidc/code'] },
    });
    expect(spec.realm).toBe('gemeente');
    expect(spec.clients.map((c) => c.clientId)).toEqual([
      'opentalk',
      'opentalk-controller',
      'openzaak',
      'openklant',
      'valtimo',
      'nextcloud',
    ]);
    expect(spec.clients.find((c) => c.clientId === 'nextcloud')).toMatchObject({
      webOrigins: ['https://cloud.example.nl'],
    });
    expect(spec.clients.find((c) => c.clientId === 'opentalk')).toMatchObject({
      publicClient: true,
      directAccessGrants: true,
    });
    expect(JSON.stringify(spec)).not.toMatch(/secret/i);
  });

  it('rejects a broken file with a configuration error that says where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'realm-'));
    const bad = join(dir, 'bad.json');
    /** A realm file of one public client `a` (with `client` on top), and `extra` at the top level. */
    const file = (client: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        realm: 'x',
        realmRoles: ['user'],
        clients: [
          {
            clientId: 'a',
            publicClient: true,
            serviceAccount: false,
            standardFlow: true,
            directAccessGrants: false,
            roles: ['ROLE_A'],
            ...client,
          },
        ],
        ...extra,
      });
    const roleGrants = (extra: Record<string, unknown>) => file({}, extra);
    for (const [text, message] of [
      [file({ serviceAccount: true }), 'service account'],
      [file({ audiences: ['not-declared'] }), '"not-declared" is not a client of this realm file'],
      // Token exchange: Keycloak lets confidential clients only, for clients the file declares.
      [file({ exchangeFor: ['a'] }), 'a public client cannot exchange tokens'],
      [
        file({ publicClient: false, exchangeFor: ['not-declared'] }),
        '"not-declared" is not a client of this realm file',
      ],
      [file({ backchannelLogout: { url: 'javascript:alert(1)' } }), 'an http(s) URL'],
      [
        file({ backchannelLogout: { url: 'https://a.example/logout', sessionRequierd: true } }),
        'sessionRequierd',
      ],
      // Roles a file grants must be roles it declares.
      [roleGrants({ defaultRoles: ['nobody'] }), '"nobody" is not in realmRoles'],
      [roleGrants({ groupRoles: [{ group: 'g', realmRoles: ['nobody'] }] }), '"nobody" is not in realmRoles'],
      [
        roleGrants({ groupRoles: [{ group: 'g', clientRoles: { a: ['ROLE_B'] } }] }),
        '"ROLE_B" is not a role of client "a" in this file',
      ],
      [
        roleGrants({ groupRoles: [{ group: 'g', clientRoles: { b: ['ROLE_A'] } }] }),
        '"ROLE_A" is not a role of client "b" in this file',
      ],
    ] as const) {
      await writeFile(bad, text);
      await expect(loadRealmFile(bad), message).rejects.toMatchObject({
        code: 'CONFIGURATION',
        message: expect.stringContaining(message),
      });
    }
    await writeFile(
      bad,
      roleGrants({ defaultRoles: ['user'], groupRoles: [{ group: 'g', clientRoles: { a: ['ROLE_A'] } }] }),
    );
    await expect(loadRealmFile(bad)).resolves.toMatchObject({
      defaultRoles: ['user'],
      groupRoles: [{ group: 'g', realmRoles: [], clientRoles: { a: ['ROLE_A'] } }],
    });
    // The admin's logout URL per client replaces the file's; the file's other choices stay.
    await writeFile(
      bad,
      file({ backchannelLogout: { url: 'https://old.example/logout', revokeOfflineTokens: true } }),
    );
    const urls = { a: 'https://a.example/oidc/backchannel' };
    expect((await loadRealmFile(bad, { backchannelLogoutUrls: urls })).clients[0]).toMatchObject({
      backchannelLogout: { url: urls.a, sessionRequired: true, revokeOfflineTokens: true },
    });
    await expect(
      loadRealmFile(bad, { backchannelLogoutUrls: { b: 'https://b.example/' } }),
    ).rejects.toMatchObject({
      code: 'CONFIGURATION',
      message: expect.stringContaining('KEYCLOAK_BACKCHANNEL_LOGOUT_URLS names "b"'),
    });
    await writeFile(bad, '{not json');
    await expect(loadRealmFile(bad)).rejects.toMatchObject({ code: 'CONFIGURATION' });
  });
});

describe('wantedUserProfile', () => {
  it('declares our attributes admin-only and makes names and e-mail optional', () => {
    const profile = wantedUserProfile({
      attributes: [
        { name: 'username' },
        { name: 'email', required: { roles: ['user'] }, validations: { email: {} } },
        {
          name: 'lastName',
          required: { roles: ['user'] },
          validations: { length: { max: 255 }, 'person-name-prohibited-characters': {} },
        },
      ],
    });
    expect(profile.attributes.find((a) => a.name === 'lastName')).toEqual({
      name: 'lastName',
      validations: { length: { max: 255 } },
    });
    expect(profile.attributes.find((a) => a.name === 'nextcloud_id')).toMatchObject({
      permissions: { view: ['admin'], edit: ['admin'] },
    });
    expect(wantedUserProfile(profile)).toEqual(profile);
  });
});
