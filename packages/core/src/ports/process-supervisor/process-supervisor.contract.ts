import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessState, ProcessSupervisor } from './process-supervisor.port.js';

export interface ProcessSupervisorHarness {
  readonly supervisor: ProcessSupervisor;
  /** Kills the running process from outside, as SIGKILL or the OOM killer would. */
  kill(): Promise<void>;
  /** Whether the process with this pid (or its group) is still alive. */
  isAlive(pid: number): boolean;
  readonly readyTimeoutMs: number;
  dispose(): Promise<void>;
}

/** Registers the ProcessSupervisor contract (start, ready, restart after a crash, stop). */
export function describeProcessSupervisorContract(
  name: string,
  setup: () => Promise<ProcessSupervisorHarness>,
): void {
  describe(`ProcessSupervisor contract · ${name}`, () => {
    let h: ProcessSupervisorHarness;
    const states: ProcessState[] = [];

    beforeAll(async () => {
      h = await setup();
      h.supervisor.onStatus((s) => states.push(s.state));
    }, 120_000);
    afterAll(async () => {
      await h?.supervisor.stop({ graceMs: 10_000 });
      await h?.dispose();
    }, 60_000);

    it('is stopped before start and not ready', async () => {
      expect(h.supervisor.status().state).toBe('stopped');
      await expect(h.supervisor.ready({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'NOT_READY' });
    });

    it('starts and becomes ready, announcing each state', async () => {
      await h.supervisor.start();
      const status = h.supervisor.status();
      expect(status.state).toBe('ready');
      expect(status.pid).not.toBeNull();
      expect(states).toEqual(expect.arrayContaining(['starting', 'ready']));
      await h.supervisor.ready({ timeoutMs: 1000 });
    }, 600_000);

    it('does not start a second process when started again', async () => {
      const pid = h.supervisor.status().pid;
      await h.supervisor.start();
      expect(h.supervisor.status().pid).toBe(pid);
    }, 60_000);

    it('restarts the process after it is killed and becomes ready again', async () => {
      const before = h.supervisor.status();
      await h.kill();
      await expect.poll(() => h.supervisor.status().state, { timeout: 30_000 }).not.toBe('ready');
      await h.supervisor.ready({ timeoutMs: h.readyTimeoutMs });
      const after = h.supervisor.status();
      expect(after.restarts).toBe(before.restarts + 1);
      expect(after.pid).not.toBe(before.pid);
      expect(states).toContain('restarting');
    }, 600_000);

    it('stops gracefully and leaves no process behind', async () => {
      const pid = h.supervisor.status().pid!;
      await h.supervisor.stop({ graceMs: 20_000 });
      expect(h.supervisor.status()).toMatchObject({ state: 'stopped', pid: null });
      expect(h.isAlive(pid)).toBe(false);
    }, 120_000);
  });
}
