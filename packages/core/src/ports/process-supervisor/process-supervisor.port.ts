import type { CallOptions } from '../signal.js';

export type ProcessState = 'stopped' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'failed';

export interface ProcessStatus {
  readonly state: ProcessState;
  readonly pid: number | null;
  /** Unexpected exits followed by a restart since `start`. */
  readonly restarts: number;
  readonly lastExit: {
    readonly code: number | null;
    readonly signal: string | null;
    readonly at: number;
  } | null;
  readonly error: string | null;
}

export type ProcessStatusListener = (status: ProcessStatus) => void;

/**
 * Runs one long-lived child process: starts it, knows when it is ready, restarts it when it dies
 * unexpectedly, stops it gracefully and never leaves it orphaned.
 */
export interface ProcessSupervisor {
  /** Starts the process (no-op when running) and resolves once it is ready. */
  start(opts?: CallOptions): Promise<void>;
  /** Stops gracefully: signal, wait `graceMs`, then kill. Resolves when the process has exited. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  status(): ProcessStatus;
  /** Resolves when the state is `ready`; rejects with NotReadyError on timeout, ProcessFailedError on `failed`. */
  ready(opts?: CallOptions & { timeoutMs?: number }): Promise<void>;
  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: ProcessStatusListener): () => void;
}
