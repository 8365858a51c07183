import { randomUUID } from 'node:crypto';
import { toAppError, type Clock, type SyncReport } from '@keycloak-exapp/core';

export interface SyncJob {
  readonly id: string;
  status: 'running' | 'done' | 'failed';
  report: SyncReport | undefined;
  error: { code: string; message: string } | undefined;
  readonly startedAt: number;
  finishedAt: number | undefined;
  /** Settles when the job has finished (never rejects). */
  readonly finished: Promise<SyncJob>;
}

export interface SyncJobsOptions {
  readonly clock: Clock;
  /** Finished jobs kept for `GET /api/sync-all/jobs/<id>` at most this long… */
  readonly keepForMs?: number;
  /** …and at most this many (the oldest go first). */
  readonly keepAtMost?: number;
}

/**
 * The full-sync jobs: at most one runs at a time (a second start returns it), and finished jobs
 * are kept for a bounded time and number, so neither callers nor time can grow this registry.
 */
export class SyncJobs {
  readonly #jobs = new Map<string, SyncJob>();
  #running: SyncJob | undefined;
  readonly #clock: Clock;
  readonly #keepForMs: number;
  readonly #keepAtMost: number;

  constructor(options: SyncJobsOptions) {
    this.#clock = options.clock;
    this.#keepForMs = options.keepForMs ?? 3_600_000;
    this.#keepAtMost = options.keepAtMost ?? 100;
  }

  /** Starts `run` as a job, or returns the running one. */
  start(run: () => Promise<SyncReport>): SyncJob {
    this.#prune();
    if (this.#running) return this.#running;
    let settle!: (job: SyncJob) => void;
    const job: SyncJob = {
      id: randomUUID(),
      status: 'running',
      report: undefined,
      error: undefined,
      startedAt: this.#clock.now(),
      finishedAt: undefined,
      finished: new Promise<SyncJob>((resolve) => (settle = resolve)),
    };
    this.#jobs.set(job.id, job);
    this.#running = job;
    void run()
      .then(
        (report) => {
          job.status = 'done';
          job.report = report;
        },
        (error: unknown) => {
          const appError = toAppError(error);
          job.status = 'failed';
          job.error = { code: appError.code, message: appError.message };
        },
      )
      .finally(() => {
        job.finishedAt = this.#clock.now();
        this.#running = undefined;
        this.#prune();
        settle(job);
      });
    return job;
  }

  get(id: string): SyncJob | undefined {
    this.#prune();
    return this.#jobs.get(id);
  }

  get size(): number {
    return this.#jobs.size;
  }

  #prune(): void {
    const now = this.#clock.now();
    const finished = [...this.#jobs.values()].filter((j) => j.finishedAt !== undefined);
    for (const job of finished) if (now - job.finishedAt! > this.#keepForMs) this.#jobs.delete(job.id);
    const kept = finished.filter((j) => this.#jobs.has(j.id));
    for (const job of kept.slice(0, Math.max(0, kept.length - this.#keepAtMost))) this.#jobs.delete(job.id);
  }
}
