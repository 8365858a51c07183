import { z } from 'zod';
import { syncConfigSchema, userIdSchema, type SyncConfig } from '../../config/core-config.schema.js';
import { planSync, type SyncActionKind } from '../../domain/sync-plan.js';
import { InvalidInputError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from '../shared/access-cache.js';
import { UserProvisioner } from '../shared/user-provisioner.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';

export const syncUserInputSchema = z.object({ userId: userIdSchema }).strict();
export type SyncUserInput = z.input<typeof syncUserInputSchema>;

export interface SyncUserResult {
  readonly userId: string;
  /** What was done; `absent` = unknown to both the directory and the identity provider. */
  readonly outcome: SyncActionKind | 'absent';
}

export interface SyncUserDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  readonly accessCache?: AccessCache;
  /** Where the write is recorded for the next full pass (see SyncJournal). */
  readonly syncJournal?: SyncJournal | undefined;
  readonly config?: Partial<SyncConfig>;
}

/** Syncs one user now: the same diff as the full sync, on one directory entry. */
export class SyncUser {
  readonly #config: SyncConfig;
  readonly #provisioner: UserProvisioner;

  constructor(private readonly deps: SyncUserDeps) {
    this.#config = syncConfigSchema.parse(deps.config ?? {});
    this.#provisioner = new UserProvisioner(deps.identityProvider, deps.accessCache, deps.syncJournal);
  }

  async execute(input: SyncUserInput, opts: CallOptions = {}): Promise<SyncUserResult> {
    const parsed = syncUserInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { userId } = parsed.data;
    const [directoryUser, current] = await Promise.all([
      this.deps.userDirectory.getUser(userId, opts),
      this.deps.identityProvider.findUserByNextcloudId(userId, opts),
    ]);
    if (!directoryUser && !current) return { userId, outcome: 'absent' };
    const plan = await planSync(
      directoryUser ? [directoryUser] : [],
      current ? [current] : [],
      this.#config.deprovisionPolicy,
    );
    const action = plan.actions[0]!;
    await this.#provisioner.apply(action, opts);
    return { userId, outcome: action.kind };
  }
}
