import { describe, expect, it } from 'vitest';
import { BootstrapRealm, InitializeExApp, SyncAllUsers } from '@keycloak-exapp/core';
import {
  FakeProcessSupervisor,
  InMemoryIdentityProvider,
  InMemoryUserDirectory,
  ManualClock,
  contractRealmSpec,
} from '@keycloak-exapp/core/testing';
import { directoryUser } from './harness.js';

function setup(users = 12) {
  const idp = new InMemoryIdentityProvider('commonground');
  const directory = new InMemoryUserDirectory(
    Array.from({ length: users }, (_, i) => directoryUser(`u${i}`)),
  );
  const supervisor = new FakeProcessSupervisor();
  const init = new InitializeExApp({
    processSupervisor: supervisor,
    bootstrapRealm: new BootstrapRealm({
      identityProvider: idp,
      realmSpec: contractRealmSpec('commonground'),
    }),
    syncAllUsers: new SyncAllUsers({
      identityProvider: idp,
      userDirectory: directory,
      clock: new ManualClock(),
    }),
    readyTimeoutMs: 1000,
  });
  return { idp, directory, supervisor, init };
}

describe('InitializeExApp', () => {
  it('starts, bootstraps, syncs and registers the UI with progress that only grows to 100', async () => {
    const s = setup();
    const progress: number[] = [];
    let uiRegistered = false;
    const result = await s.init.execute({
      onProgress: (p) => {
        progress.push(p);
      },
      registerUi: () => {
        uiRegistered = true;
        return Promise.resolve();
      },
    });
    expect(result).toMatchObject({ status: 'done', sync: { created: 12 } });
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]!);
    expect(uiRegistered).toBe(true);
    expect(s.supervisor.status().state).toBe('ready');
  });

  it('reports the failing step and its error instead of stalling', async () => {
    const s = setup();
    s.supervisor.failStarts(1);
    const progress: number[] = [];
    const result = await s.init.execute({ onProgress: (p) => void progress.push(p) });
    expect(result).toMatchObject({ status: 'failed', step: 'start-keycloak', code: 'PROCESS_FAILED' });
    expect(result.status === 'failed' && result.message).toContain('start-keycloak');
    expect(progress).not.toContain(100);
  });

  it('reports a sync failure with its step', async () => {
    const s = setup();
    s.directory.failPage(0);
    expect(await s.init.execute()).toMatchObject({
      status: 'failed',
      step: 'sync-users',
      code: 'UPSTREAM_UNAVAILABLE',
    });
  });

  it('is safe to call twice: concurrent calls share one run, a later one changes nothing', async () => {
    const s = setup();
    const [a, b] = await Promise.all([s.init.execute(), s.init.execute()]);
    expect(a).toBe(b);
    expect(s.supervisor.startCalls).toBe(1);
    s.idp.resetCounters();
    expect(await s.init.execute()).toMatchObject({ status: 'done', sync: { created: 0, unchanged: 12 } });
    expect(s.idp.writeCount).toBe(0);
  });

  it('refuses a realm file for another realm', async () => {
    const idp = new InMemoryIdentityProvider('commonground');
    await expect(
      new BootstrapRealm({ identityProvider: idp, realmSpec: contractRealmSpec('other') }).execute(),
    ).rejects.toMatchObject({
      code: 'CONFIGURATION',
    });
  });
});
