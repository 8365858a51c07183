import { describe, expect, it } from 'vitest';
import { Secret, noopLogger, type DirectoryUser } from '@keycloak-exapp/core';
import { ACCESS_CACHE } from '@keycloak-exapp/core/wiring';
import {
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';
import { createExAppContainer, resolveUseCases } from '@keycloak-exapp/composition';

const REALM = 'commonground';
const user = (id: string, change: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id,
  displayName: `${id} Tester`,
  email: `${id}@example.test`,
  enabled: true,
  groups: ['staff'],
  ...change,
});

async function graph() {
  const idp = new InMemoryIdentityProvider(REALM);
  const realmSpec = contractRealmSpec(REALM, ['opentalk']);
  await idp.reconcileRealm(realmSpec);
  const directory = new InMemoryUserDirectory([user('alice'), user('bob')]);
  const container = createExAppContainer({
    logger: noopLogger,
    passwordKey: new Secret('p'.repeat(40)),
    realmSpec,
    keycloak: { identityProvider: () => idp },
    users: { directory: () => directory },
    token: { allowedClientIds: ['opentalk'], directoryTtlMs: 60_000 },
  });
  return { idp, directory, container, useCases: await resolveUseCases(container) };
}

describe('the composition root', () => {
  it('gives every use case the one token cache: a user that sync disables gets no cached token', async () => {
    const { directory, useCases } = await graph();
    const first = await useCases.issueToken.execute({ userId: 'alice', clientId: 'opentalk' });
    const again = await useCases.issueToken.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(first.source).toBe('password');
    expect(again.source).toBe('cache');

    directory.update('alice', { enabled: false });
    await useCases.syncAllUsers.execute();
    await expect(
      useCases.issueToken.execute({ userId: 'alice', clientId: 'opentalk' }),
    ).rejects.toMatchObject({ code: 'USER_DISABLED' });
  });

  it('gives a user that syncUser deletes no cached token either', async () => {
    const { directory, useCases } = await graph();
    await useCases.issueToken.execute({ userId: 'bob', clientId: 'opentalk' });
    directory.remove('bob');
    await useCases.syncUser.execute({ userId: 'bob' });
    await expect(useCases.issueToken.execute({ userId: 'bob', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });

  it('binds each object once: the same cache, ports and use cases on every resolution', async () => {
    const { container, useCases } = await graph();
    expect(await container.getAsync(ACCESS_CACHE)).toBe(await container.getAsync(ACCESS_CACHE));
    const again = await resolveUseCases(container);
    for (const key of Object.keys(useCases) as (keyof typeof useCases)[])
      expect(again[key], key).toBe(useCases[key]);
  });
});
