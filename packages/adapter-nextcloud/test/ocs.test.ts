import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrapOcs } from '@keycloak-exapp/adapter-nextcloud';
import { NEXTCLOUD_FIXTURES_DIR } from '@keycloak-exapp/fake-nextcloud';

const FIXTURES = NEXTCLOUD_FIXTURES_DIR;
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('unwrapOcs', () => {
  it('unwraps v1 (statuscode 100) and v2 (statuscode 200) successes', () => {
    expect(
      unwrapOcs({ statusCode: 200, body: fixture('ocs-v1-user-disabled.json') }, 'get user', 'admin'),
    ).toMatchObject({ id: 'bob', enabled: false });
    expect(
      unwrapOcs({ statusCode: 200, body: fixture('ocs-v2-user-enabled.json') }, 'get user', 'admin'),
    ).toMatchObject({ id: 'alice' });
  });
  it('treats v1 "user does not exist" (HTTP 200, statuscode 404) and v2 (HTTP 404) alike', () => {
    expect(() =>
      unwrapOcs({ statusCode: 200, body: fixture('ocs-v1-user-not-found.json') }, 'get user', 'admin'),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() =>
      unwrapOcs({ statusCode: 404, body: fixture('ocs-v2-user-not-found.json') }, 'get user', 'admin'),
    ).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
  it('maps 998 with HTTP 200 (v1) to not found and 997 to unauthorized naming the acting user', () => {
    const v1 = (code: number) =>
      JSON.stringify({
        ocs: {
          meta: { status: 'failure', statuscode: code, message: '', totalitems: '', itemsperpage: '' },
          data: [],
        },
      });
    expect(() => unwrapOcs({ statusCode: 200, body: v1(998) }, 'x', 'admin')).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => unwrapOcs({ statusCode: 401, body: v1(997) }, 'x', 'ops-admin')).toThrow(
      expect.objectContaining({
        code: 'UPSTREAM_UNAUTHORIZED',
        message: expect.stringContaining('"ops-admin"'),
      }),
    );
    expect(() => unwrapOcs({ statusCode: 200, body: v1(403) }, 'x', 'bob')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});
