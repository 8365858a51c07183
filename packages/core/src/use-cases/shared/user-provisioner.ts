import type { DeprovisionPolicy, SyncAction } from '../../domain/sync-plan.js';
import type { ManagedIdpUser } from '../../domain/user.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';
import { DEPROVISIONED_DIGEST, digestOfSpec } from '../../domain/sync-digest.js';
import type { AccessCache } from './access-cache.js';

/** Applies one planned action to the identity provider; the single place that writes users. */
export class UserProvisioner {
  /**
   * `journal`: for writes outside a full pass (one user's sync, a delete, the token API's
   * deprovisioning), each write is recorded in the sync digest so the next pass knows of it.
   */
  constructor(
    private readonly identityProvider: IdentityProvider,
    private readonly accessCache: AccessCache | undefined,
    private readonly journal?: SyncJournal | undefined,
  ) {}

  async apply(action: SyncAction, opts: CallOptions = {}): Promise<void> {
    switch (action.kind) {
      case 'unchanged':
        return;
      case 'create':
        await this.identityProvider.createUser(action.spec, opts);
        await this.#record(action.nextcloudId, await digestOfSpec(action.spec), opts);
        return;
      case 'update': {
        await this.identityProvider.updateUser(action.current.id, action.spec, opts);
        if (action.fields.includes('enabled') && !action.spec.enabled) {
          await this.identityProvider.revokeSessions(action.current.id, opts);
        }
        this.accessCache?.forgetUser(action.nextcloudId);
        await this.#record(action.nextcloudId, await digestOfSpec(action.spec), opts);
        return;
      }
      case 'disable':
        await this.deprovision(action.current, 'disable', opts);
        return;
      case 'delete':
        await this.deprovision(action.current, 'delete', opts);
        return;
    }
  }

  /** Takes access away from a managed user: disable + end sessions, or delete. */
  async deprovision(user: ManagedIdpUser, policy: DeprovisionPolicy, opts: CallOptions = {}): Promise<void> {
    this.accessCache?.forgetUser(user.nextcloudId);
    if (policy === 'delete') {
      await this.identityProvider.deleteUser(user.id, opts);
      await this.#record(user.nextcloudId, null, opts);
      return;
    }
    if (user.enabled) await this.identityProvider.setEnabled(user.id, false, opts);
    await this.identityProvider.revokeSessions(user.id, opts);
    await this.#record(user.nextcloudId, DEPROVISIONED_DIGEST, opts);
  }

  /** Records a written user's digest in the journal (`null`: forgotten). */
  async #record(nextcloudId: string, digest: string | null, opts: CallOptions): Promise<void> {
    await this.journal?.record(new Map([[nextcloudId, digest]]), opts);
  }
}
