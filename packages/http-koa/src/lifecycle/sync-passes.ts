import {
  toAppError,
  type CheapPassReport,
  type Clock,
  type Logger,
  type SyncReport,
} from '@keycloak-exapp/core';
import type { NextcloudLogLevel } from '@keycloak-exapp/adapter-nextcloud';
import type { ServerMetrics } from '../metrics.js';

/** What started a pass: AppAPI's `/init`, the reconcile loop, or an admin or consumer (`/api/sync-all`). */
export type SyncTrigger = 'init' | 'schedule' | 'request';

/** A finished sync pass as the status view shows it (snake_case, as the API answers). */
export interface SyncPassRecord {
  /** `full`: every user's profile, state and groups; `cheap`: the reconcile loop's id and state check. */
  readonly kind: 'full' | 'cheap';
  readonly trigger: SyncTrigger;
  /** `digest`: compared with the saved digest; `verify`: with Keycloak itself (repairs drift). */
  readonly pass: 'digest' | 'verify' | undefined;
  readonly started_at: string;
  readonly duration_ms: number;
  readonly outcome: 'done' | 'failed';
  /** Users per result (created, updated, disabled, …; `users`: how many Nextcloud listed). */
  readonly counts: Readonly<Record<string, number>>;
  readonly failed_users: number;
  /** The first failures and their reasons (at most MAX_FAILURES_SHOWN). */
  readonly failures: readonly { readonly user_id: string; readonly code: string; readonly reason: string }[];
  /** Why the whole pass failed (`outcome: failed`). */
  readonly error?: { readonly code: string; readonly message: string };
}

export const MAX_FAILURES_SHOWN = 20;

export interface SyncPassesDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** Nextcloud's log through AppAPI; a Nextcloud that refuses it only loses those lines. */
  readonly nextcloudLog?: (level: NextcloudLogLevel, message: string) => Promise<void>;
}

/**
 * Every sync pass goes through here: it is timed and counted in the metrics, the last pass of each
 * kind is kept for the admin's status view, and a pass that failed, or failed for some users, is
 * written to Nextcloud's log (AppAPI's log endpoint), once per kind and distinct message, so a failure the
 * reconcile loop meets every minute is one line until it changes or clears.
 */
export class SyncPasses {
  readonly #last: { full?: SyncPassRecord; cheap?: SyncPassRecord } = {};
  /** The last line written to Nextcloud's log per kind (undefined after a clean pass). */
  readonly #lastLogged: { full?: string | undefined; cheap?: string | undefined } = {};
  #logEndpointRefused = false;

  constructor(private readonly deps: SyncPassesDeps) {}

  /** Runs `run` as a pass of `kind`, records it and passes its result or error through. */
  async observe<T extends SyncReport | CheapPassReport>(
    kind: 'full' | 'cheap',
    trigger: SyncTrigger,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = this.deps.clock.now();
    try {
      const report = await this.deps.metrics.observeSync(kind, run);
      this.record(kind, trigger, report, started);
      return report;
    } catch (error) {
      const appError = toAppError(error);
      this.#keep({
        kind,
        trigger,
        pass: undefined,
        started_at: new Date(started).toISOString(),
        duration_ms: this.deps.clock.now() - started,
        outcome: 'failed',
        counts: {},
        failed_users: 0,
        failures: [],
        error: { code: appError.code, message: appError.message },
      });
      throw error;
    }
  }

  /**
   * Records a pass run elsewhere (init's full sync reports its own result); `started` defaults to
   * the report's own duration before now.
   */
  record(
    kind: 'full' | 'cheap',
    trigger: SyncTrigger,
    report: SyncReport | CheapPassReport,
    started = this.deps.clock.now() - ('durationMs' in report ? report.durationMs : 0),
  ): void {
    if ('dryRun' in report && report.dryRun) return;
    const failures =
      'kind' in report
        ? report.failed.map((f) => ({ user_id: f.userId, code: f.code, reason: f.code }))
        : report.failed.map((f) => ({ user_id: f.userId, code: f.code, reason: f.message }));
    this.#keep({
      kind,
      trigger,
      pass: report.pass,
      started_at: new Date(started).toISOString(),
      duration_ms: 'durationMs' in report ? report.durationMs : this.deps.clock.now() - started,
      outcome: 'done',
      counts:
        'kind' in report
          ? {
              users: report.directoryUsers,
              created: report.created,
              disabled: report.disabled,
              reenabled: report.reenabled,
              deprovisioned: report.deprovisioned,
            }
          : {
              users: report.total,
              created: report.created,
              updated: report.updated,
              disabled: report.disabled,
              deleted: report.deleted,
              unchanged: report.unchanged,
            },
      failed_users: failures.length,
      failures: failures.slice(0, MAX_FAILURES_SHOWN),
    });
  }

  /** The last pass of each kind (undefined: none since the server started). */
  last(): { readonly full: SyncPassRecord | undefined; readonly cheap: SyncPassRecord | undefined } {
    return { full: this.#last.full, cheap: this.#last.cheap };
  }

  #keep(record: SyncPassRecord): void {
    this.#last[record.kind] = record;
    const line = nextcloudLogLine(record);
    if (!line) {
      // A clean pass: the next failure, even the same one again, is news.
      this.#lastLogged[record.kind] = undefined;
      return;
    }
    if (line.message === this.#lastLogged[record.kind]) return;
    this.#lastLogged[record.kind] = line.message;
    void this.#writeToNextcloud(line.level, line.message);
  }

  async #writeToNextcloud(level: NextcloudLogLevel, message: string): Promise<void> {
    if (!this.deps.nextcloudLog || this.#logEndpointRefused) return;
    try {
      await this.deps.nextcloudLog(level, message);
    } catch (error) {
      const { code } = toAppError(error);
      // A Nextcloud without the endpoint keeps refusing: say so once and stop asking.
      if (code === 'NOT_FOUND') this.#logEndpointRefused = true;
      this.deps.logger.warn({ code }, "could not write a sync failure to Nextcloud's log");
    }
  }
}

/** The line for Nextcloud's log: an error for a failed pass, a warning for users that failed. */
function nextcloudLogLine(record: SyncPassRecord): { level: NextcloudLogLevel; message: string } | undefined {
  const what = `Keycloak ${record.kind === 'full' ? 'full sync' : 'reconcile pass'}`;
  if (record.outcome === 'failed')
    return { level: 3, message: `${what} failed: ${record.error?.code}: ${record.error?.message}` };
  if (record.failed_users === 0) return undefined;
  const shown = record.failures
    .slice(0, 5)
    .map((f) => `${f.user_id} (${f.reason})`)
    .join(', ');
  const more = record.failed_users > 5 ? `, and ${record.failed_users - 5} more` : '';
  return {
    level: 2,
    message: `${what}: ${record.failed_users} user(s) could not be synced to Keycloak: ${shown}${more}`,
  };
}
