import {
  toAppError,
  type BootstrapRealm,
  type Clock,
  type InitializeExApp,
  type Logger,
  type ProcessSupervisor,
  type SyncScheduler,
} from '@keycloak-exapp/core';
import type { AppApiClient } from '@keycloak-exapp/adapter-nextcloud';
import type { InitMarker } from './init-marker.js';
import type { KeycloakReadiness } from './keycloak-readiness.js';
import type { SyncPasses } from './sync-passes.js';

export interface TopMenu {
  readonly name: string;
  readonly displayName: string;
  readonly icon: string;
  readonly script: string;
}

export interface ExAppLifecycleDeps {
  /** Absent when Keycloak is external. */
  readonly supervisor: ProcessSupervisor | undefined;
  readonly initialize: InitializeExApp;
  readonly bootstrapRealm: BootstrapRealm;
  readonly appApi: AppApiClient;
  readonly readiness: KeycloakReadiness;
  readonly scheduler: SyncScheduler;
  /** Init's full sync is recorded as a pass (for the status view), when given. */
  readonly passes?: SyncPasses;
  readonly marker: InitMarker;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Aborted at shutdown: init, resume and enable stop with it. */
  readonly lifetime: AbortController;
  readonly settings: { readonly stopKeycloakOnDisable: boolean; readonly topMenu: TopMenu };
}

/**
 * The ExApp's life as AppAPI drives it: init in the background with progress to Nextcloud,
 * resume after a restart, enable/disable with the top menu, and an orderly shutdown.
 */
export class ExAppLifecycle {
  #init: Promise<void> | undefined;

  constructor(private readonly deps: ExAppLifecycleDeps) {}

  /** `/init`: answers at once; the work runs here in the background and reports to Nextcloud. */
  startInit(): void {
    this.#init ??= this.#runInit().finally(() => {
      this.#init = undefined;
    });
  }

  async #runInit(): Promise<void> {
    const { appApi, logger, readiness } = this.deps;
    const signal = this.deps.lifetime.signal;
    const result = await this.deps.initialize.execute({
      signal,
      onProgress: async (percent, step) => {
        // Steps after bootstrap-realm mean the realm exists: tokens may be served.
        if (step !== 'start-keycloak' && step !== 'bootstrap-realm') readiness.markRealmReady();
        if (step === 'done') {
          await this.deps.marker.write(new Date(this.deps.clock.now()));
          this.deps.scheduler.start();
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
    if (result.status === 'done') this.deps.passes?.record('full', 'init', result.sync);
    if (result.status === 'failed') {
      logger.error({ step: result.step, code: result.code }, 'init failed');
      await appApi.reportError(result.message, { signal }).catch(() => undefined);
    }
  }

  /** On process start: when init has completed before, start Keycloak and the loop again. */
  async resume(): Promise<void> {
    if (!this.deps.marker.exists()) return;
    const signal = this.deps.lifetime.signal;
    try {
      await this.deps.supervisor?.start({ signal });
      await this.deps.bootstrapRealm.execute({ signal });
      this.deps.readiness.markRealmReady();
      this.deps.scheduler.start();
    } catch (error) {
      this.deps.logger.error(
        { code: toAppError(error).code, msg: toAppError(error).message },
        'resume after restart failed',
      );
    }
  }

  /** `/enabled`: returns the error text AppAPI expects ('' = success). */
  async setEnabled(enabled: boolean): Promise<string> {
    const { supervisor, readiness } = this.deps;
    const signal = AbortSignal.any([this.deps.lifetime.signal, AbortSignal.timeout(50_000)]);
    try {
      if (enabled) {
        if (supervisor && readiness.state() === 'stopped') {
          await supervisor.start({ signal });
          await this.deps.bootstrapRealm.execute({ signal });
          readiness.markRealmReady();
        }
        await this.#registerUi(signal);
        if (readiness.isRealmReady) this.deps.scheduler.start();
      } else {
        await this.deps.appApi.unregisterTopMenu(this.deps.settings.topMenu.name, { signal });
        if (this.deps.settings.stopKeycloakOnDisable) await supervisor?.stop({ graceMs: 30_000 });
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

  /** Abort running work, stop the loop and Keycloak. */
  async shutdown(): Promise<void> {
    this.deps.lifetime.abort();
    await this.deps.scheduler.stop();
    await this.#init?.catch(() => undefined);
    await this.deps.supervisor?.stop({ graceMs: 30_000 });
  }
}
