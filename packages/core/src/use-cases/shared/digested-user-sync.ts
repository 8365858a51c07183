import { planSync, type DeprovisionPolicy, type SyncActionKind } from '../../domain/sync-plan.js';
import { DEPROVISIONED_DIGEST, digestOfSpec } from '../../domain/sync-digest.js';
import { toManagedUserSpec, type DirectoryUser } from '../../domain/user.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { UserProvisioner } from './user-provisioner.js';

export interface DigestedOutcome {
  readonly kind: SyncActionKind;
  /** The user's digest after the write, or `undefined` when none should be kept. */
  readonly digest: string | undefined;
}

/**
 * One user whose Nextcloud state differs from the digest: read from the identity provider, planned,
 * written, and given its new digest. A user missing from Nextcloud's listing is looked up in
 * Nextcloud and in the identity provider before anything is taken away: the digest alone never is.
 */
export class DigestedUserSync {
  constructor(
    private readonly identityProvider: IdentityProvider,
    private readonly userDirectory: UserDirectory,
    private readonly provisioner: UserProvisioner,
    private readonly policy: DeprovisionPolicy,
  ) {}

  /** `listed`: the user as Nextcloud's listing gave them, or `undefined` to ask Nextcloud now. */
  async sync(
    nextcloudId: string,
    listed: DirectoryUser | undefined,
    opts: CallOptions,
  ): Promise<DigestedOutcome> {
    const user = listed ?? (await this.userDirectory.getUser(nextcloudId, opts));
    const current = await this.identityProvider.findUserByNextcloudId(nextcloudId, opts);
    if (!user && !current) return { kind: 'unchanged', digest: undefined };
    const action = (await planSync(user ? [user] : [], current ? [current] : [], this.policy)).actions[0]!;
    await this.provisioner.apply(action, opts);
    if (user) return { kind: action.kind, digest: await digestOfSpec(await toManagedUserSpec(user)) };
    return { kind: action.kind, digest: this.policy === 'delete' ? undefined : DEPROVISIONED_DIGEST };
  }
}
