import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import {
  NotReadyError,
  ProcessFailedError,
  noopLogger,
  systemClock,
  type CallOptions,
  type Clock,
  type Logger,
  type ProcessStatus,
  type ProcessStatusListener,
  type ProcessSupervisor,
} from '@keycloak-exapp/core';
import { KEYCLOAK_GUARD_SCRIPT } from './keycloak-guard.js';
import { forwardKeycloakLogLine } from './keycloak-log.js';

export interface KeycloakProcessOptions {
  /** The Keycloak home to run (`bin/kc.sh` inside), built beforehand for `--optimized`. */
  readonly home: string;
  readonly javaHome: string;
  readonly httpPort: number;
  readonly managementPort: number;
  /** Runtime options as `--name=value` arguments (besides ports, which are set here). */
  readonly args?: readonly string[];
  /** Environment for Keycloak (`KC_*`, `JAVA_OPTS_KC_HEAP`, …); filtered by the allow-list. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** How long one start may take before it counts as failed. */
  readonly startTimeoutMs?: number;
  readonly graceMs?: number;
  readonly restart?: {
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
    /** After this many unexpected exits within `windowMs` the state becomes `failed`. */
    readonly maxCrashes?: number;
    readonly windowMs?: number;
  };
}

/** Environment variables handed to Keycloak: like the official image, `KC_*` plus the JVM knobs. */
const ENV_ALLOW = /^(KC_[A-Z0-9_]+|JAVA_OPTS_KC_HEAP|JAVA_OPTS_APPEND|TZ|LANG|LC_ALL)$/;
const BASE_ENV = ['PATH', 'HOME', 'TMPDIR'];

export function keycloakEnvironment(
  source: Readonly<Record<string, string | undefined>>,
  javaHome: string,
  inherited: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = { JAVA_HOME: javaHome };
  for (const name of BASE_ENV) {
    const value = inherited[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && ENV_ALLOW.test(name)) env[name] = value;
  }
  return env;
}

/**
 * Runs Keycloak (`kc.sh start --optimized`) as a supervised child: its own process group behind a
 * guard shell (so it dies with us), readiness from the management port's `/health/ready`, its
 * JSON log lines forwarded to our logger, graceful stop (SIGTERM, grace, SIGKILL to the group),
 * restart with exponential backoff after an unexpected exit and `failed` after too many crashes.
 */
export class KeycloakProcessSupervisor implements ProcessSupervisor {
  #status: ProcessStatus = { state: 'stopped', pid: null, restarts: 0, lastExit: null, error: null };
  readonly #listeners = new Set<ProcessStatusListener>();
  readonly #logger: Logger;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #crashes: number[] = [];
  #starting: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(private readonly options: KeycloakProcessOptions) {
    this.#logger = (options.logger ?? noopLogger).child({ component: 'keycloak-supervisor' });
    this.#clock = options.clock ?? systemClock;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.httpPort}`;
  }

  get managementUrl(): string {
    return `http://127.0.0.1:${this.options.managementPort}`;
  }

  status(): ProcessStatus {
    return this.#status;
  }

  onStatus(listener: ProcessStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(opts: CallOptions = {}): Promise<void> {
    if (this.#status.state === 'ready') return Promise.resolve();
    if (this.#starting) return this.#starting;
    this.#stopping = false;
    this.#crashes = [];
    this.#set({ state: 'starting', error: null, restarts: 0 });
    this.#starting = this.#launch(opts.signal).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async ready(opts: CallOptions & { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      opts.signal?.throwIfAborted();
      const { state, error } = this.#status;
      if (state === 'ready') return;
      if (state === 'failed') throw new ProcessFailedError(`Keycloak failed: ${error ?? 'unknown error'}`);
      if (Date.now() >= deadline) throw new NotReadyError(`Keycloak is ${state}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(1, deadline - Date.now()))));
    }
  }

  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.#child = undefined;
      this.#set({ state: 'stopped', pid: null });
      return;
    }
    this.#set({ state: 'stopping' });
    const graceMs = opts.graceMs ?? this.options.graceMs ?? 30_000;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The guard passes SIGTERM on to kc.sh and exits once the JVM has shut down.
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      this.#logger.warn({ graceMs }, 'Keycloak did not stop within the grace period; killing it');
      this.#signalGroup(child, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
    // The guard's watcher may still be waiting on its stdin: end the whole group, and report
    // `stopped` only once the group is gone (a SIGKILL is delivered asynchronously).
    this.#signalGroup(child, 'SIGKILL');
    await this.#groupGone(child, 5_000);
    this.#child = undefined;
    this.#set({ state: 'stopped', pid: null });
  }

  /** Waits until no process of the child's group is left (or `timeoutMs` has passed). */
  async #groupGone(child: ChildProcess, timeoutMs: number): Promise<void> {
    if (child.pid === undefined) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        process.kill(-child.pid, 0);
      } catch {
        return; // ESRCH: nobody left in the group
      }
      if (Date.now() > deadline) {
        this.#logger.warn({ pgid: child.pid }, 'processes of the stopped Keycloak are still exiting');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #launch(signal: AbortSignal | undefined): Promise<void> {
    const child = this.#spawn();
    try {
      await this.#waitReady(child, signal);
      this.#set({ state: 'ready', pid: child.pid ?? null, error: null });
    } catch (error) {
      if (this.#child === child) {
        this.#signalGroup(child, 'SIGKILL');
        this.#child = undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (!this.#stopping) this.#set({ state: 'failed', pid: null, error: message });
      throw error instanceof ProcessFailedError || error instanceof NotReadyError
        ? error
        : new ProcessFailedError(`Keycloak did not start: ${message}`, { cause: error });
    }
  }

  #spawn(): ChildProcess {
    const { home, javaHome, httpPort, managementPort } = this.options;
    const graceSeconds = Math.ceil((this.options.graceMs ?? 30_000) / 1000);
    const args = [
      'start',
      '--optimized',
      `--http-port=${httpPort}`,
      `--http-management-port=${managementPort}`,
      '--log-console-output=json',
      ...(this.options.args ?? []),
    ];
    const env = keycloakEnvironment(this.options.env ?? {}, javaHome, process.env);
    const child = spawn(
      'bash',
      ['-c', KEYCLOAK_GUARD_SCRIPT, 'keycloak-guard', String(graceSeconds), `${home}/bin/kc.sh`, ...args],
      {
        cwd: home,
        env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.#child = child;
    this.#logger.info({ pid: child.pid, httpPort, managementPort }, 'Keycloak starting');
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => forwardKeycloakLogLine(this.#logger, line));
    }
    child.stdin?.on('error', () => undefined);
    child.once('exit', (code, sig) => this.#onExit(child, code, sig));
    return child;
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    child.stdin?.destroy();
    const lastExit = { code, signal, at: this.#clock.now() };
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#stopping) {
      this.#set({ lastExit });
      return;
    }
    const wasStarting = this.#status.state === 'starting';
    this.#logger.error({ code, signal }, 'Keycloak exited unexpectedly');
    const now = this.#clock.now();
    const {
      maxCrashes = 5,
      windowMs = 10 * 60_000,
      baseDelayMs = 1_000,
      maxDelayMs = 30_000,
    } = this.options.restart ?? {};
    this.#crashes = [...this.#crashes.filter((t) => now - t < windowMs), now];
    if (wasStarting) {
      this.#set({ lastExit, pid: null });
      return; // #launch sees the exit through #waitReady and reports it
    }
    if (this.#crashes.length > maxCrashes) {
      this.#set({
        state: 'failed',
        pid: null,
        lastExit,
        error: `Keycloak crashed ${this.#crashes.length} times within ${windowMs} ms`,
      });
      return;
    }
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (this.#crashes.length - 1));
    this.#set({ state: 'restarting', pid: null, lastExit, restarts: this.#status.restarts + 1 });
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopping) return;
      this.#starting = this.#relaunch().finally(() => {
        this.#starting = undefined;
      });
    }, delay);
  }

  async #relaunch(): Promise<void> {
    const child = this.#spawn();
    try {
      await this.#waitReady(child, undefined);
      this.#set({ state: 'ready', pid: child.pid ?? null, error: null });
    } catch (error) {
      if (this.#stopping) return;
      if (this.#child === child) {
        this.#signalGroup(child, 'SIGKILL');
        this.#child = undefined;
      }
      // A failed restart counts as another crash; #onExit schedules the next try or gives up.
      const message = error instanceof Error ? error.message : String(error);
      this.#set({ state: 'restarting', error: message });
      this.#onExit(child, null, null);
    }
  }

  async #waitReady(child: ChildProcess, signal: AbortSignal | undefined): Promise<void> {
    const timeoutMs = this.options.startTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new ProcessFailedError(
          `Keycloak exited during start (code ${String(child.exitCode)}, signal ${String(child.signalCode)}); see its log lines`,
        );
      }
      if (await this.#probeReady()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new NotReadyError(`Keycloak was not ready after ${timeoutMs} ms`);
  }

  #probeReady(): Promise<boolean> {
    return new Promise((resolve) => {
      const req = request(`${this.managementUrl}/health/ready`, { timeout: 2_000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  #signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  }

  #set(change: Partial<ProcessStatus>): void {
    this.#status = { ...this.#status, ...change };
    for (const listener of this.#listeners) listener(this.#status);
  }
}
