import { NotReadyError, type ProcessSupervisor } from '@keycloak-exapp/core';

export type KeycloakState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped' | 'external';

/**
 * Whether Keycloak can serve: its process state (embedded) and whether the realm exists. The API
 * and the proxy ask it before every request; init and resume tell it when the realm is there.
 */
export class KeycloakReadiness {
  #realmReady = false;

  /** `supervisor` is absent when Keycloak is external. */
  constructor(private readonly supervisor: ProcessSupervisor | undefined) {}

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
