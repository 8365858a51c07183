import { NotReadyError, type ProcessSupervisor } from '@keycloak-exapp/core';

export type KeycloakState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped' | 'external';

/**
 * Whether Keycloak can serve: its process state (embedded) and whether the realm exists. The API
 * and the proxy ask it before every request; init and resume tell it when the realm is there.
 */
export class KeycloakReadiness {
  #realmReady = false;
  /** When the embedded Keycloak entered the state it is in. */
  #since: number;
  readonly #graceMs: number;
  readonly #now: () => number;

  /** `supervisor` is absent when Keycloak is external. */
  constructor(
    private readonly supervisor: ProcessSupervisor | undefined,
    opts: {
      /** How long starting or restarting still counts as healthy (Keycloak's first start included). */
      readonly graceMs?: number;
      readonly now?: () => number;
    } = {},
  ) {
    this.#graceMs = opts.graceMs ?? 300_000;
    this.#now = opts.now ?? Date.now;
    this.#since = this.#now();
    let last = supervisor?.status().state;
    supervisor?.onStatus((status) => {
      if (status.state === last) return;
      last = status.state;
      this.#since = this.#now();
    });
  }

  /**
   * Whether the ExApp is healthy for `/heartbeat` and the image's health check: not while Keycloak
   * has failed, nor while it has been starting or restarting beyond the grace period; with why.
   * Stopped (before init, or disabled) and external are healthy: nothing of ours is broken.
   */
  health(): { readonly healthy: true } | { readonly healthy: false; readonly reason: string } {
    if (!this.supervisor) return { healthy: true };
    const status = this.supervisor.status();
    if (status.state === 'failed')
      return { healthy: false, reason: `Keycloak failed: ${status.error ?? 'it exited'}` };
    const seconds = Math.round((this.#now() - this.#since) / 1000);
    if ((status.state === 'starting' || status.state === 'restarting') && seconds * 1000 > this.#graceMs)
      return {
        healthy: false,
        reason: `Keycloak has been ${status.state} for ${seconds} s (${status.restarts} restarts${status.error ? `; last error: ${status.error}` : ''})`,
      };
    return { healthy: true };
  }

  state(): KeycloakState {
    if (!this.supervisor) return 'external';
    const state = this.supervisor.status().state;
    return state === 'stopping' ? 'stopped' : state;
  }

  get isRealmReady(): boolean {
    return this.#realmReady;
  }

  markRealmReady(): void {
    this.#realmReady = true;
  }

  /** Throws 503 material unless Keycloak runs (the proxy needs no realm for the admin console). */
  assertRunning(): void {
    const state = this.state();
    if (state !== 'ready' && state !== 'external') throw new NotReadyError(`Keycloak is ${state}`);
  }

  /** Throws 503 material unless Keycloak answers and the realm exists. */
  assertReady(): void {
    this.assertRunning();
    this.assertRealmReady();
  }

  /** Throws 503 material until init has bootstrapped the realm (whatever Keycloak's state now). */
  assertRealmReady(): void {
    if (!this.#realmReady)
      throw new NotReadyError('the realm is not bootstrapped yet (init has not finished)');
  }
}
