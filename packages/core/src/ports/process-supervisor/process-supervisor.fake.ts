import { NotReadyError, ProcessFailedError } from '../../errors/errors.js';
import type { CallOptions } from '../signal.js';
import type { ProcessStatus, ProcessStatusListener, ProcessSupervisor } from './process-supervisor.port.js';

/**
 * A supervisor of a pretend process: starts instantly, `crash()` simulates an unexpected exit that
 * is followed by a restart, `failStarts(n)` makes the next n starts fail.
 */
export class FakeProcessSupervisor implements ProcessSupervisor {
  #status: ProcessStatus = { state: 'stopped', pid: null, restarts: 0, lastExit: null, error: null };
  readonly #listeners = new Set<ProcessStatusListener>();
  #nextPid = 1000;
  #failStarts = 0;
  startCalls = 0;
  stopCalls = 0;

  failStarts(count: number): void {
    this.#failStarts = count;
  }

  async start(opts: CallOptions = {}): Promise<void> {
    opts.signal?.throwIfAborted();
    this.startCalls++;
    if (this.#status.state === 'ready') return;
    this.#set({ state: 'starting', error: null });
    await Promise.resolve();
    if (this.#failStarts > 0) {
      this.#failStarts--;
      this.#set({ state: 'failed', pid: null, error: 'process exited during start' });
      throw new ProcessFailedError('process exited during start');
    }
    this.#set({ state: 'ready', pid: this.#nextPid++ });
  }

  async stop(): Promise<void> {
    this.stopCalls++;
    if (this.#status.state === 'stopped') return;
    this.#set({ state: 'stopping' });
    await Promise.resolve();
    this.#set({ state: 'stopped', pid: null });
  }

  /** Simulates the process dying (SIGKILL): restarting, then ready again with a new pid. */
  crash(restartAfterMs = 20): void {
    this.#set({
      state: 'restarting',
      pid: null,
      restarts: this.#status.restarts + 1,
      lastExit: { code: null, signal: 'SIGKILL', at: Date.now() },
    });
    setTimeout(() => {
      if (this.#status.state === 'restarting') this.#set({ state: 'ready', pid: this.#nextPid++ });
    }, restartAfterMs);
  }

  status(): ProcessStatus {
    return this.#status;
  }

  async ready(opts: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 0);
    for (;;) {
      opts.signal?.throwIfAborted();
      if (this.#status.state === 'ready') return;
      if (this.#status.state === 'failed')
        throw new ProcessFailedError(this.#status.error ?? 'process failed');
      if (Date.now() >= deadline) throw new NotReadyError(`process is ${this.#status.state}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  onStatus(listener: ProcessStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(change: Partial<ProcessStatus>): void {
    this.#status = { ...this.#status, ...change };
    for (const listener of this.#listeners) listener(this.#status);
  }
}
