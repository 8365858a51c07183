import { NotReadyError } from '../../errors/errors.js';
import type { ProcessSupervisor } from '../../ports/process-supervisor/process-supervisor.port.js';

/**
 * Whether the identity provider can be asked now: always, unless this application supervises its
 * process and that is not `ready` (restarting after a crash, say).
 */
export class ProviderAvailability {
  constructor(private readonly supervisor: ProcessSupervisor | undefined) {}

  isUp(): boolean {
    const state = this.supervisor?.status().state;
    return state === undefined || state === 'ready';
  }

  /** Throws NOT_READY while the supervised identity provider is not ready. */
  assertUp(): void {
    const state = this.supervisor?.status().state;
    if (state !== undefined && state !== 'ready')
      throw new NotReadyError(`the identity provider is ${state}`);
  }
}
