import type { RealmReconcileReport } from '../../domain/realm.js';
import type { ErrorCode } from '../../errors/codes.js';
import { toAppError } from '../../errors/errors.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { ProcessSupervisor } from '../../ports/process-supervisor/process-supervisor.port.js';
import type { BootstrapRealm } from '../bootstrap-realm/bootstrap-realm.use-case.js';
import type { SyncAllUsers } from '../sync-all-users/sync-all-users.use-case.js';
import type { SyncReport } from '../sync-all-users/sync-all-users.report.js';

export type InitStep = 'start-keycloak' | 'bootstrap-realm' | 'sync-users' | 'register-ui' | 'done';

export interface InitHooks {
  /** Called with a monotonically growing percentage (0–100) at each step. */
  readonly onProgress?: ((percent: number, step: InitStep) => void | Promise<void>) | undefined;
  /** The host's last step (AppAPI: register the top-menu entry). */
  readonly registerUi?: ((signal: AbortSignal) => Promise<void>) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export type InitResult =
  | { readonly status: 'done'; readonly realm: RealmReconcileReport; readonly sync: SyncReport }
  | {
      readonly status: 'failed';
      readonly step: InitStep;
      readonly code: ErrorCode;
      readonly message: string;
    };

export interface InitializeExAppDeps {
  /** Absent when Keycloak is external (not supervised by us). */
  readonly processSupervisor?: ProcessSupervisor | undefined;
  readonly bootstrapRealm: BootstrapRealm;
  readonly syncAllUsers: SyncAllUsers;
  readonly logger?: Logger;
  readonly readyTimeoutMs?: number;
}

/**
 * The ExApp's install step: start Keycloak → wait ready → reconcile the realm → sync every user →
 * register the UI, reporting progress that only grows and ends at 100, or the failing step and a
 * message (never a silent stall). Concurrent calls share one run; a later call runs again, which is
 * safe because every step is idempotent.
 */
export class InitializeExApp {
  #running: Promise<InitResult> | undefined;

  constructor(private readonly deps: InitializeExAppDeps) {}

  execute(hooks: InitHooks = {}): Promise<InitResult> {
    this.#running ??= this.#run(hooks).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(hooks: InitHooks): Promise<InitResult> {
    const signal = hooks.signal ?? new AbortController().signal;
    const logger = this.deps.logger ?? noopLogger;
    let last = -1;
    let step: InitStep = 'start-keycloak';
    const progress = async (percent: number, at: InitStep): Promise<void> => {
      step = at;
      const value = Math.min(100, Math.max(last, Math.round(percent)));
      if (value === last) return;
      last = value;
      await hooks.onProgress?.(value, at);
    };
    try {
      await progress(0, 'start-keycloak');
      if (this.deps.processSupervisor) {
        await this.deps.processSupervisor.start({ signal });
        await this.deps.processSupervisor.ready({ signal, timeoutMs: this.deps.readyTimeoutMs ?? 300_000 });
      }
      await progress(30, 'bootstrap-realm');
      const realm = await this.deps.bootstrapRealm.execute({ signal });
      await progress(40, 'sync-users');
      let pending = Promise.resolve();
      const sync = await this.deps.syncAllUsers.execute(
        {},
        {
          signal,
          onProgress: ({ done, total }) => {
            const percent = 40 + (total === 0 ? 50 : (50 * done) / total);
            pending = pending.then(() => progress(percent, 'sync-users'));
          },
        },
      );
      await pending;
      await progress(90, 'register-ui');
      if (hooks.registerUi) await hooks.registerUi(signal);
      await progress(100, 'done');
      logger.info(
        { created: sync.created, updated: sync.updated, failed: sync.failed.length },
        'initialization done',
      );
      return { status: 'done', realm, sync };
    } catch (error) {
      const appError = toAppError(error);
      logger.error({ step, code: appError.code, err: appError }, 'initialization failed');
      return { status: 'failed', step, code: appError.code, message: `${step}: ${appError.message}` };
    }
  }
}
