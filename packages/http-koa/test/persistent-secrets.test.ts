import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingLogger } from '@keycloak-exapp/core/testing';
import { SECRETS_FILE, loadOrCreateSecrets } from '@keycloak-exapp/http-koa';

let dir = '';
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the secrets file on the volume', () => {
  it('is created owner-only, and a copy others may read is repaired to 0600 with a warning', async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const created = await loadOrCreateSecrets(dir);
    const path = join(dir, SECRETS_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await chmod(path, 0o644);
    const logger = new CapturingLogger();
    expect(await loadOrCreateSecrets(dir, logger)).toEqual(created); // same secrets, nothing lost
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const warning = logger.entries.find((e) => e.level === 'warn');
    expect(warning?.msg).toMatch(/readable by others; its mode is now 0600/);
    expect(JSON.stringify(logger.entries)).not.toContain(created.passwordKey);
  });
});
