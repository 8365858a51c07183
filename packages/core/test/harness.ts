import {
  AccessCache,
  DerivedPasswordVault,
  IssueToken,
  Secret,
  SyncAllUsers,
  type DirectoryUser,
  type ProcessSupervisor,
  type TokenConfigInput,
} from '@keycloak-exapp/core';
import {
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  ManualClock,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';

export const REALM = 'commonground';
const CONSUMER_CLIENTS = ['opentalk', 'valtimo', 'openzaak', 'openklant'];

export function directoryUser(id: string, change: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id,
    displayName: `${id} Tester`,
    email: `${id}@example.com`,
    enabled: true,
    groups: ['staff'],
    ...change,
  };
}

/** A realm with fakes behind it, ready for the use cases. */
export async function world(
  opts: { users?: DirectoryUser[]; token?: Partial<TokenConfigInput>; supervisor?: ProcessSupervisor } = {},
) {
  const idp = new InMemoryIdentityProvider(REALM);
  await idp.reconcileRealm(contractRealmSpec(REALM, CONSUMER_CLIENTS));
  idp.resetCounters();
  const directory = new InMemoryUserDirectory(opts.users ?? []);
  const clock = new ManualClock();
  const cache = new AccessCache({ clock });
  const vault = await DerivedPasswordVault.fromKey(new Secret('k'.repeat(32)));
  const token = new IssueToken({
    identityProvider: idp,
    userDirectory: directory,
    passwordVault: vault,
    clock,
    accessCache: cache,
    supervisor: opts.supervisor,
    config: { allowedClientIds: CONSUMER_CLIENTS, ...opts.token },
  });
  const sync = new SyncAllUsers({
    identityProvider: idp,
    userDirectory: directory,
    clock,
    accessCache: cache,
  });
  return { idp, directory, clock, cache, vault, token, sync };
}
