import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '@keycloak-exapp/core';
import { CapturingLogger } from '@keycloak-exapp/core/testing';
import {
  SECRETS_FILE,
  SecretsFilePasswordVault,
  loadOrCreateSecrets,
  newSecret,
  runtimeAccountOnVolume,
  saveSecrets,
} from '@keycloak-exapp/composition';

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

describe('the runtime account on the volume', () => {
  it('keeps the secret the realm holds in the file, leaving the other secrets as they are now', async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const atStart = await loadOrCreateSecrets(dir);
    const logger = new CapturingLogger();
    const account = runtimeAccountOnVolume(dir, atStart, logger);
    expect(account.secret.reveal()).toBe(atStart.keycloakRuntimeClientSecret);
    // Meanwhile the password key was rotated (secret rotate-password-key): that change stays.
    const rotated = { ...atStart, passwordKey: newSecret(), previousPasswordKey: atStart.passwordKey };
    await saveSecrets(dir, rotated);
    const realms = newSecret();
    await account.keep!(new Secret(realms));
    expect(await loadOrCreateSecrets(dir)).toEqual({ ...rotated, keycloakRuntimeClientSecret: realms });
    expect((await stat(join(dir, SECRETS_FILE))).mode & 0o777).toBe(0o600);
    expect(logger.entries.map((e) => e.msg).join()).toMatch(/this server uses and keeps that one/);
    expect(JSON.stringify(logger.entries)).not.toContain(realms);
  });
});

describe('SecretsFilePasswordVault: the server following a rotated key', () => {
  it('derives from the key the file holds now, and keeps its key when the file is unreadable', async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const secrets = await loadOrCreateSecrets(dir);
    const path = join(dir, SECRETS_FILE);
    const logger = new CapturingLogger();
    const vault = await SecretsFilePasswordVault.open(path, new Secret(secrets.passwordKey), logger);
    const before = vault.keyId;
    const password = (await vault.passwordFor('r', 'alice')).reveal();
    await saveSecrets(dir, {
      ...secrets,
      previousPasswordKey: secrets.passwordKey,
      passwordKey: newSecret(),
    });
    await vault.reload();
    expect(vault.keyId).not.toBe(before);
    expect((await vault.passwordFor('r', 'alice')).reveal()).not.toBe(password);
    const now = vault.keyId;
    await writeFile(path, 'not json');
    await vault.reload();
    expect(vault.keyId).toBe(now);
    expect(logger.entries.some((e) => e.level === 'error')).toBe(true);
  });

  it('notices the change by itself when watching', async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    const secrets = await loadOrCreateSecrets(dir);
    const vault = (
      await SecretsFilePasswordVault.open(join(dir, SECRETS_FILE), new Secret(secrets.passwordKey))
    ).watch(50);
    const before = vault.keyId;
    await saveSecrets(dir, { ...secrets, passwordKey: newSecret() });
    await expect.poll(() => vault.keyId, { timeout: 5_000 }).not.toBe(before);
    vault.close();
  });
});
