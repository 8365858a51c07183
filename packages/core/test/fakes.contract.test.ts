// The fakes are held to the same contract suites as the real adapters.
import {
  FakeProcessSupervisor,
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  contractRealmSpec,
  describeIdentityProviderContract,
  describeProcessSupervisorContract,
  describeUserDirectoryContract,
} from '@keycloak-exapp/core/testing';

describeIdentityProviderContract('InMemoryIdentityProvider', () => {
  const port = new InMemoryIdentityProvider('contract');
  return Promise.resolve({
    port,
    realmSpec: contractRealmSpec('contract'),
    grantClientId: 'contract-grant',
    noGrantClientId: 'contract-browser',
    addUnmanagedUser: (username: string) => {
      port.addUnmanagedUser(username);
      return Promise.resolve();
    },
    dispose: () => Promise.resolve(),
  });
});

describeUserDirectoryContract('InMemoryUserDirectory', () => {
  const port = new InMemoryUserDirectory();
  return Promise.resolve({
    port,
    seed: (users) => {
      for (const user of users) port.put(user);
      return Promise.resolve();
    },
    remove: (id) => {
      port.remove(id);
      return Promise.resolve();
    },
    dispose: () => Promise.resolve(),
  });
});

describeProcessSupervisorContract('FakeProcessSupervisor', () => {
  const supervisor = new FakeProcessSupervisor();
  const dead = new Set<number>();
  return Promise.resolve({
    supervisor,
    kill: () => {
      dead.add(supervisor.status().pid!);
      supervisor.crash();
      return Promise.resolve();
    },
    isAlive: (pid: number) => !dead.has(pid) && supervisor.status().pid === pid,
    readyTimeoutMs: 1000,
    dispose: () => Promise.resolve(),
  });
});
