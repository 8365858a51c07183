import { describe, expect, it } from 'vitest';
import {
  FakeProcessSupervisor,
  type IdentityProviderOperation,
  type InMemoryIdentityProvider,
} from '@keycloak-exapp/core/testing';
import { directoryUser, world } from './harness.js';

const OPERATIONS: readonly IdentityProviderOperation[] = [
  'createUser',
  'createUsers',
  'updateUser',
  'setEnabled',
  'deleteUser',
  'setPassword',
  'revokeSessions',
  'passwordGrant',
  'refreshGrant',
  'findUserByNextcloudId',
  'findUserByUsername',
  'listManagedUsers',
];
/** Every call the identity provider received (none may reach it while it is down). */
const callsTo = (idp: InMemoryIdentityProvider) => OPERATIONS.reduce((n, op) => n + idp.calls(op), 0);

/** The identity provider's process died and is being restarted by its supervisor. */
async function duringOutage() {
  const supervisor = new FakeProcessSupervisor();
  await supervisor.start();
  const w = await world({
    users: [directoryUser('alice'), directoryUser('bob'), directoryUser('carol')],
    token: { directoryTtlMs: 30_000 },
    supervisor,
  });
  await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
  await w.token.execute({ userId: 'bob', clientId: 'opentalk' });
  supervisor.crash(3_600_000); // restarting for the rest of the test
  w.idp.resetCounters();
  return w;
}

describe('IssueToken while the supervised identity provider restarts', () => {
  it('serves cached tokens, also past the directory TTL while the directory says the user is unchanged', async () => {
    const w = await duringOutage();
    expect(await w.token.execute({ userId: 'alice', clientId: 'opentalk' })).toMatchObject({
      source: 'cache',
    });
    w.clock.advance(40_000); // past the 30 s directory TTL: Nextcloud is asked again, Keycloak is not
    const answer = await w.token.execute({ userId: 'alice', clientId: 'opentalk' });
    expect(answer).toMatchObject({ source: 'cache', waitedForDirectory: true });
    expect(callsTo(w.idp)).toBe(0);
  });

  it('refuses what needs the identity provider with NOT_READY, and a refused user as always', async () => {
    const w = await duringOutage();
    // No cached token for this client, and a user never verified: both need Keycloak.
    await expect(w.token.execute({ userId: 'alice', clientId: 'valtimo' })).rejects.toMatchObject({
      code: 'NOT_READY',
    });
    await expect(w.token.execute({ userId: 'carol', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'NOT_READY',
    });
    // Disabled in Nextcloud: refused at once, cached token or not (deprovisioned when Keycloak is back).
    w.directory.update('bob', { enabled: false });
    w.clock.advance(30_000);
    await expect(w.token.execute({ userId: 'bob', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'USER_DISABLED',
    });
    // A changed profile needs a Keycloak write first: not served from the old account.
    w.directory.update('alice', { displayName: 'Alice Renamed' });
    await expect(w.token.execute({ userId: 'alice', clientId: 'opentalk' })).rejects.toMatchObject({
      code: 'NOT_READY',
    });
    expect(callsTo(w.idp)).toBe(0);
  });
});
