import { z } from 'zod';
import { userIdSchema } from '../../config/core-config.schema.js';
import { InvalidInputError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { AccessCache } from '../shared/access-cache.js';
import { UserAccountWriter } from '../shared/user-account-writer.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';

export const deleteUserInputSchema = z.object({ userId: userIdSchema }).strict();
export type DeleteUserInput = z.input<typeof deleteUserInputSchema>;

export interface DeleteUserResult {
  readonly userId: string;
  readonly outcome: 'deleted' | 'absent';
}

export interface DeleteUserDeps {
  readonly identityProvider: IdentityProvider;
  readonly accessCache?: AccessCache;
  /** Where the delete is recorded for the next full pass (see SyncJournal). */
  readonly syncJournal?: SyncJournal | undefined;
}

/** Deletes the managed identity-provider user of a directory id; unmanaged users are never touched. */
export class DeleteUser {
  readonly #writer: UserAccountWriter;

  constructor(private readonly deps: DeleteUserDeps) {
    this.#writer = new UserAccountWriter({ ...deps, journal: deps.syncJournal, policy: 'delete' });
  }

  async execute(input: DeleteUserInput, opts: CallOptions = {}): Promise<DeleteUserResult> {
    const parsed = deleteUserInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { userId } = parsed.data;
    this.deps.accessCache?.forgetUser(userId);
    const current = await this.deps.identityProvider.findUserByNextcloudId(userId, opts);
    if (!current) return { userId, outcome: 'absent' };
    await this.#writer.deprovision(current, 'delete', opts);
    return { userId, outcome: 'deleted' };
  }
}
