import {
  planSync,
  type DeprovisionPolicy,
  type SyncAction,
  type SyncActionKind,
} from '../../domain/sync-plan.js';
import { DEPROVISIONED_DIGEST, digestOfSpec } from '../../domain/sync-digest.js';
import {
  differingFields,
  toManagedUserSpec,
  type DirectoryUser,
  type ManagedIdpUser,
  type ManagedUserSpec,
} from '../../domain/user.js';
import { ConfigurationError, UpstreamError, toAppError } from '../../errors/errors.js';
import type { AppError } from '../../errors/app-error.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from './access-cache.js';

export interface UserAccountWriterDeps {
  readonly identityProvider: IdentityProvider;
  /** Asked about a user no listing gave (absent: the writer only writes what it is told). */
  readonly userDirectory?: UserDirectory | undefined;
  readonly policy: DeprovisionPolicy;
  /** Whose cached tokens and checks a write makes stale. */
  readonly accessCache?: AccessCache | undefined;
  /**
   * Writes outside a full pass (one user's sync, a delete, the token path) are recorded here, so
   * the next pass knows of them; a full pass keeps its own map and saves it whole instead.
   */
  readonly journal?: SyncJournal | undefined;
}

/** What bringing one user in line did, and the digest to keep for them (`undefined`: none). */
export interface WriteOutcome {
  readonly kind: SyncActionKind;
  readonly digest: string | undefined;
}

/** One user to create, with the digest of the spec (computed with its page). */
export interface PendingCreate {
  readonly spec: ManagedUserSpec;
  readonly digest: string;
}

/** A create's result: what it came to (`update`: the account existed and was brought in line). */
export type CreateOutcome =
  | { readonly nextcloudId: string; readonly ok: true; readonly kind: 'create' | 'update' }
  | { readonly nextcloudId: string; readonly ok: false; readonly error: AppError };

/**
 * The one component that decides and writes a user's state in the identity provider: create,
 * update (profile, enabled state, groups), disable with the sessions ended, delete, and the journal
 * entry and cache invalidation that go with each. Sync, the cheap pass, the token path,
 * `sync-user`, `delete-user` and the CLI all write through it, so the guards live here once:
 * nothing is taken from a user whom Nextcloud and the identity provider were not both asked about,
 * and no listing that came back empty deprovisions anyone.
 */
export class UserAccountWriter {
  constructor(private readonly deps: UserAccountWriterDeps) {}

  /**
   * A listing that came back empty while managed users would lose access means the directory may
   * not show us its users (an acting user who is not an admin): refuse, take nothing away.
   */
  static assertListingMayDeprovision(listed: number, wouldLoseAccess: number): void {
    if (listed === 0 && wouldLoseAccess > 0)
      throw new UpstreamError(
        `the user directory listed no users; refusing to deprovision ${wouldLoseAccess} managed users (is the acting user a Nextcloud admin?)`,
      );
  }

  /**
   * What bringing one user in line would do, read from both sides now (`listed`: the user as a
   * listing gave them, or `undefined` to ask Nextcloud); `undefined` when neither knows the user.
   */
  async plan(nextcloudId: string, listed: DirectoryUser | undefined, opts: CallOptions = {}) {
    const { userDirectory, identityProvider, policy } = this.deps;
    if (!listed && !userDirectory)
      throw new ConfigurationError('UserAccountWriter: no user directory to ask');
    const [user, current] = await Promise.all([
      listed ?? userDirectory!.getUser(nextcloudId, opts),
      identityProvider.findUserByNextcloudId(nextcloudId, opts),
    ]);
    if (!user && !current) return undefined;
    const action = (await planSync(user ? [user] : [], current ? [current] : [], policy)).actions[0]!;
    return { action, user };
  }

  /**
   * Brings one user in line with Nextcloud (the per-user guard: a user missing from a listing is
   * looked up in Nextcloud and in the identity provider before anything is taken away).
   */
  async bringInLine(
    nextcloudId: string,
    listed: DirectoryUser | undefined,
    opts: CallOptions = {},
  ): Promise<WriteOutcome> {
    const planned = await this.plan(nextcloudId, listed, opts);
    if (!planned) return { kind: 'unchanged', digest: undefined };
    await this.apply(planned.action, opts);
    if (planned.user)
      return { kind: planned.action.kind, digest: await digestOfSpec(await toManagedUserSpec(planned.user)) };
    return {
      kind: planned.action.kind,
      digest: this.deps.policy === 'delete' ? undefined : DEPROVISIONED_DIGEST,
    };
  }

  /** Writes one planned action. */
  async apply(action: SyncAction, opts: CallOptions = {}): Promise<void> {
    const { identityProvider, accessCache } = this.deps;
    switch (action.kind) {
      case 'unchanged':
        return;
      case 'create':
        await identityProvider.createUser(action.spec, opts);
        await this.#record(action.nextcloudId, await digestOfSpec(action.spec), opts);
        return;
      case 'update':
        await identityProvider.updateUser(action.current.id, action.spec, opts);
        if (action.fields.includes('enabled') && !action.spec.enabled)
          await identityProvider.revokeSessions(action.current.id, opts);
        accessCache?.forgetUser(action.nextcloudId);
        await this.#record(action.nextcloudId, await digestOfSpec(action.spec), opts);
        return;
      case 'disable':
        await this.deprovision(action.current, 'disable', opts);
        return;
      case 'delete':
        await this.deprovision(action.current, 'delete', opts);
        return;
    }
  }

  /**
   * The account of an enabled Nextcloud user as the token path needs it: created when missing,
   * updated when it differs (its cached tokens dropped: their claims are stale), else as it is.
   */
  async ensureAccount(
    spec: ManagedUserSpec,
    current: ManagedIdpUser | undefined,
    opts: CallOptions = {},
  ): Promise<ManagedIdpUser> {
    const { identityProvider, accessCache } = this.deps;
    if (!current) {
      const created = await identityProvider.createUser(spec, opts);
      await this.#record(spec.nextcloudId, await digestOfSpec(spec), opts);
      return created;
    }
    if (differingFields(spec, current).length === 0) return current;
    await identityProvider.updateUser(current.id, spec, opts);
    accessCache?.dropTokens(spec.nextcloudId);
    await this.#record(spec.nextcloudId, await digestOfSpec(spec), opts);
    return { ...current, ...spec };
  }

  /**
   * Creates users a listing brought that the journal does not know, `batchSize` at a time where the
   * identity provider creates many at once (one by one otherwise); an account that existed already
   * is brought in line. Never throws: each user's outcome is reported.
   */
  async createMany(
    items: readonly PendingCreate[],
    opts: CallOptions & { readonly bulk: boolean },
  ): Promise<CreateOutcome[]> {
    const { identityProvider } = this.deps;
    const failedWith = (item: PendingCreate, error: unknown): CreateOutcome => ({
      nextcloudId: item.spec.nextcloudId,
      ok: false,
      error: toAppError(error ?? new UpstreamError('the identity provider gave no result')),
    });
    const settle = async (item: PendingCreate, user: ManagedIdpUser): Promise<CreateOutcome> => {
      const fields = differingFields(item.spec, user);
      if (fields.length > 0)
        await this.apply(
          { kind: 'update', nextcloudId: item.spec.nextcloudId, spec: item.spec, current: user, fields },
          opts,
        );
      return { nextcloudId: item.spec.nextcloudId, ok: true, kind: fields.length > 0 ? 'update' : 'create' };
    };
    const outcomes: CreateOutcome[] = [];
    if (!opts.bulk || !identityProvider.createUsers) {
      for (const item of items)
        outcomes.push(
          await identityProvider
            .createUser(item.spec, opts)
            .then((user) => settle(item, user))
            .catch((error: unknown) => failedWith(item, error)),
        );
      return outcomes;
    }
    const results = await Promise.resolve()
      .then(() => {
        opts.signal?.throwIfAborted();
        return identityProvider.createUsers!(
          items.map((item) => item.spec),
          opts,
        );
      })
      .catch((error: unknown) => items.map(() => ({ ok: false as const, error: toAppError(error) })));
    for (const [i, item] of items.entries()) {
      const result = results[i];
      outcomes.push(
        result?.ok
          ? await settle(item, result.user).catch((error: unknown) => failedWith(item, error))
          : failedWith(item, result?.error),
      );
    }
    return outcomes;
  }

  /** Takes access away from a managed user: disable and end the sessions, or delete. */
  async deprovision(user: ManagedIdpUser, policy: DeprovisionPolicy, opts: CallOptions = {}): Promise<void> {
    const { identityProvider, accessCache } = this.deps;
    accessCache?.forgetUser(user.nextcloudId);
    if (policy === 'delete') {
      // Sessions first: ending them sends the consumers' back-channel logout tokens, which
      // deleting the user alone does not.
      await identityProvider.revokeSessions(user.id, opts);
      await identityProvider.deleteUser(user.id, opts);
      await this.#record(user.nextcloudId, null, opts);
      return;
    }
    if (user.enabled) await identityProvider.setEnabled(user.id, false, opts);
    await identityProvider.revokeSessions(user.id, opts);
    await this.#record(user.nextcloudId, DEPROVISIONED_DIGEST, opts);
  }

  /** Records a written user's digest in the journal (`null`: forgotten). */
  async #record(nextcloudId: string, digest: string | null, opts: CallOptions): Promise<void> {
    await this.deps.journal?.record(new Map([[nextcloudId, digest]]), opts);
  }
}
