import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProcessSupervisorContract } from '@keycloak-exapp/core/testing';
import { jvmOf, processesInGroup } from './process-group.js';
import { prepareKeycloakServer } from '@keycloak-exapp/test-support';

// The core's ProcessSupervisor contract against our supervisor running the real Keycloak.
describeProcessSupervisorContract('KeycloakProcessSupervisor (real Keycloak, dev-file)', async () => {
  const server = await prepareKeycloakServer('dev-file');
  const supervisor = server.supervisor;
  return {
    supervisor,
    readyTimeoutMs: 240_000,
    kill: () => {
      const pgid = supervisor.status().pid!;
      const jvm = jvmOf(pgid);
      if (!jvm) throw new Error(`no JVM in process group ${pgid}`);
      process.kill(jvm, 'SIGKILL');
      return Promise.resolve();
    },
    isAlive: (pgid: number) => processesInGroup(pgid).length > 0,
    dispose: () => server.stop(),
  };
});

describe('KeycloakProcessSupervisor when its own process dies', () => {
  it('leaves no JVM behind when the Node process that started Keycloak is SIGKILLed', async () => {
    const script = join(import.meta.dirname, 'fixtures', 'start-and-wait.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pgid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /READY (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`starter exited early with ${String(code)}`)));
    });
    expect(jvmOf(pgid)).toBeDefined();
    child.kill('SIGKILL');
    // The guard sees its stdin close, sends SIGTERM, and SIGKILLs the group after its 5 s grace.
    await expect.poll(() => processesInGroup(pgid), { timeout: 30_000, interval: 250 }).toEqual([]);
  }, 300_000);
});
