import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  NotReadyError,
  ReconcileScheduler,
  toAppError,
  type BootstrapRealm,
  type Clock,
  type InitializeExApp,
  type Logger,
  type ProcessSupervisor,
  type ReconcileUsers,
  type SyncAllUsers,
  type UserDirectory,
} from '@keycloak-exapp/core';
import type { AppApiClient } from '@keycloak-exapp/adapter-nextcloud';
import type { ServerMetrics } from './metrics.js';
import { NextcloudAdminCheck } from './nextcloud-admin-check.js';
import { SyncJobs, type SyncJob } from './sync-jobs.js';

export type KeycloakState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped' | 'external';

export interface ExAppServiceDeps {
  /** Absent when Keycloak is external. */
  readonly supervisor: ProcessSupervisor | undefined;
  readonly initialize: InitializeExApp;
  readonly bootstrapRealm: BootstrapRealm;
  readonly syncAllUsers: SyncAllUsers;
  readonly reconcileUsers: ReconcileUsers;
  readonly appApi: AppApiClient;
  readonly userDirectory: UserDirectory;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: ServerMetrics;
  readonly settings: {
    readonly stopKeycloakOnDisable: boolean;
    readonly reconcileIntervalMs: number;
    readonly reconcileFullEvery: number;
    /** Written when init has completed once; its presence resumes everything on the next start. */
    readonly initializedMarker: string;
    readonly topMenu: {
      readonly name: string;
      readonly displayName: string;
      readonly icon: string;
      readonly script: string;
    };
  };
}

/**
 * The ExApp's life: init in the background with progress to Nextcloud, enable/disable, readiness
 * for the API, the reconcile loop, sync jobs, and an orderly shutdown.
 */
export class ExAppService {
  readonly #jobs: SyncJobs;
  readonly #admins: NextcloudAdminCheck;
  readonly #shutdown = new AbortController();
  readonly #scheduler: ReconcileScheduler;
  #realmReady = false;
  #init: Promise<void> | undefined;

  constructor(private readonly deps: ExAppServiceDeps) {
    this.#jobs = new SyncJobs({ clock: deps.clock });
    this.#admins = new NextcloudAdminCheck(deps.userDirectory, deps.clock);
    this.#scheduler = new ReconcileScheduler({
      clock: deps.clock,
      logger: deps.logger,
      intervalMs: deps.settings.reconcileIntervalMs,
      fullEvery: deps.settings.reconcileFullEvery,
      run: async (kind, signal) => {
        this.assertReady();
        if (kind === 'full')
          await deps.metrics.observeSync('full', () => deps.syncAllUsers.execute({}, { signal }));
        else await deps.metrics.observeSync('cheap', () => deps.reconcileUsers.execute({ signal }));
      },
    });
  }

  get scheduler(): ReconcileScheduler {
    return this.#scheduler;
  }

  keycloakState(): KeycloakState {
    const supervisor = this.deps.supervisor;
    if (!supervisor) return 'external';
    const state = supervisor.status().state;
    return state === 'stopping' ? 'stopped' : state;
  }

  /** Throws 503 material unless Keycloak runs (the proxy needs no realm for the admin console). */
  assertKeycloakRunning(): void {
    const state = this.keycloakState();
    if (state !== 'ready' && state !== 'external') throw new NotReadyError(`Keycloak is ${state}`);
  }

  /** Throws 503 material unless Keycloak answers and the realm exists. */
  assertReady(): void {
    const state = this.keycloakState();
    if (state !== 'ready' && state !== 'external') throw new NotReadyError(`Keycloak is ${state}`);
    if (!this.#realmReady)
      throw new NotReadyError('the realm is not bootstrapped yet (init has not finished)');
  }

  /** `/init`: answers at once; the work runs here in the background and reports to Nextcloud. */
  startInit(): void {
    this.#init ??= this.#runInit().finally(() => {
      this.#init = undefined;
    });
  }

  async #runInit(): Promise<void> {
    const { appApi, logger } = this.deps;
    const signal = this.#shutdown.signal;
    const result = await this.deps.initialize.execute({
      signal,
      onProgress: async (percent, step) => {
        // Steps after bootstrap-realm mean the realm exists: tokens may be served.
        if (step !== 'start-keycloak' && step !== 'bootstrap-realm') this.#realmReady = true;
        if (step === 'done') {
          await mkdir(dirname(this.deps.settings.initializedMarker), { recursive: true });
          await writeFile(
            this.deps.settings.initializedMarker,
            `${new Date(this.deps.clock.now()).toISOString()}\n`,
          );
          this.#scheduler.start();
        }
        await appApi.reportProgress(percent, { signal }).catch((error: unknown) => {
          logger.warn(
            { code: toAppError(error).code, percent },
            'could not report init progress to Nextcloud',
          );
        });
      },
      registerUi: (s) => this.#registerUi(s),
    });
    if (result.status === 'failed') {
      logger.error({ step: result.step, code: result.code }, 'init failed');
      await appApi.reportError(result.message, { signal }).catch(() => undefined);
    }
  }

  /** On process start: when init has completed before, start Keycloak and the loop again. */
  async resume(): Promise<void> {
    if (!existsSync(this.deps.settings.initializedMarker)) return;
    const signal = this.#shutdown.signal;
    try {
      await this.deps.supervisor?.start({ signal });
      await this.deps.bootstrapRealm.execute({ signal });
      this.#realmReady = true;
      this.#scheduler.start();
    } catch (error) {
      this.deps.logger.error(
        { code: toAppError(error).code, msg: toAppError(error).message },
        'resume after restart failed',
      );
    }
  }

  /** `/enabled`: returns the error text AppAPI expects ('' = success). */
  async setEnabled(enabled: boolean): Promise<string> {
    const signal = AbortSignal.any([this.#shutdown.signal, AbortSignal.timeout(50_000)]);
    try {
      if (enabled) {
        if (this.deps.supervisor && this.keycloakState() === 'stopped') {
          await this.deps.supervisor.start({ signal });
          await this.deps.bootstrapRealm.execute({ signal });
          this.#realmReady = true;
        }
        await this.#registerUi(signal);
        if (this.#realmReady) this.#scheduler.start();
      } else {
        await this.deps.appApi.unregisterTopMenu(this.deps.settings.topMenu.name, { signal });
        if (this.deps.settings.stopKeycloakOnDisable) await this.deps.supervisor?.stop({ graceMs: 30_000 });
      }
      return '';
    } catch (error) {
      const appError = toAppError(error);
      this.deps.logger.error({ enabled, code: appError.code }, 'enable/disable failed');
      return appError.message;
    }
  }

  async #registerUi(signal: AbortSignal): Promise<void> {
    const { topMenu } = this.deps.settings;
    await this.deps.appApi.registerTopMenu(
      { name: topMenu.name, displayName: topMenu.displayName, icon: topMenu.icon, adminRequired: true },
      { signal },
    );
    await this.deps.appApi.registerTopMenuScript(topMenu.name, topMenu.script, { signal });
  }

  /** Whether a Nextcloud user is an admin (member of `admin`), from the directory, cached 30 s. */
  isNextcloudAdmin(userId: string, signal: AbortSignal): Promise<boolean> {
    return this.#admins.isAdmin(userId, signal);
  }

  /** Starts a full sync job, or returns the running one (never two at once). */
  startSyncAll(): SyncJob {
    return this.#jobs.start(() =>
      this.deps.metrics.observeSync('full', () =>
        this.deps.syncAllUsers.execute({}, { signal: this.#shutdown.signal }),
      ),
    );
  }

  job(id: string): SyncJob | undefined {
    return this.#jobs.get(id);
  }

  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** Abort running work, stop the loop and Keycloak. */
  async shutdown(): Promise<void> {
    this.#shutdown.abort();
    await this.#scheduler.stop();
    await this.#init?.catch(() => undefined);
    await this.deps.supervisor?.stop({ graceMs: 30_000 });
  }
}
