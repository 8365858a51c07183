import { z } from 'zod';
import { syncConfigSchema, userIdSchema, type SyncConfig } from '../../config/core-config.schema.js';
import type { SyncActionKind } from '../../domain/sync-plan.js';
import { InvalidInputError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from '../shared/access-cache.js';
import { UserAccountWriter } from '../shared/user-account-writer.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';

export const syncUserInputSchema = z
  .object({
    userId: userIdSchema,
    /** Plan only: read both sides and say what would be done, write nothing. */
    dryRun: z.boolean().optional(),
  })
  .strict();
export type SyncUserInput = z.input<typeof syncUserInputSchema>;

export interface SyncUserResult {
  readonly userId: string;
  /** What was done (a dry run: would be); `absent` = unknown to both the directory and the identity provider. */
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
  readonly #writer: UserAccountWriter;

  constructor(deps: SyncUserDeps) {
    this.#config = syncConfigSchema.parse(deps.config ?? {});
    this.#writer = new UserAccountWriter({
      ...deps,
      journal: deps.syncJournal,
      policy: this.#config.deprovisionPolicy,
    });
  }

  async execute(input: SyncUserInput, opts: CallOptions = {}): Promise<SyncUserResult> {
    const parsed = syncUserInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { userId, dryRun } = parsed.data;
    const planned = await this.#writer.plan(userId, undefined, opts);
    if (!planned) return { userId, outcome: 'absent' };
    if (!dryRun) await this.#writer.apply(planned.action, opts);
    return { userId, outcome: planned.action.kind };
  }
}
