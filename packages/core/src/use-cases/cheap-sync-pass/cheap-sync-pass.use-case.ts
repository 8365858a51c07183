import { syncConfigSchema, type SyncConfig } from '../../config/core-config.schema.js';
import type { ManagedIdpUser } from '../../domain/user.js';
import { toAppError } from '../../errors/errors.js';
import type { ErrorCode } from '../../errors/codes.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { CallOptions } from '../../ports/signal.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from '../shared/access-cache.js';
import { BoundedPool } from '../shared/bounded-pool.js';
import { UserAccountWriter } from '../shared/user-account-writer.js';
import type { SyncUser } from '../sync-user/sync-user.use-case.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';
import { DEPROVISIONED_DIGEST, isEnabledDigest } from '../../domain/sync-digest.js';

export interface CheapPassReport {
  readonly kind: 'cheap';
  /** `digest`: compared with the saved digest (no identity-provider listing); `verify`: with the identity provider. */
  readonly pass: 'digest' | 'verify';
  readonly directoryUsers: number;
  readonly created: number;
  readonly disabled: number;
  readonly reenabled: number;
  readonly deprovisioned: number;
  readonly failed: readonly { readonly userId: string; readonly code: ErrorCode }[];
}

export interface CheapSyncPassDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  /** The saved digest: with it, a pass that finds nothing changed reads nothing from the identity provider. */
  readonly syncJournal?: SyncJournal | undefined;
  readonly syncUser: SyncUser;
  readonly accessCache?: AccessCache;
  readonly logger?: Logger;
  readonly config?: Partial<SyncConfig>;
}

/**
 * The cheap reconcile pass (Nextcloud 30–34 send no user webhooks): only the directory's id list
 * and disabled list are read, compared with the managed users, and only the differences are
 * synced one by one — new users created, disabled ones disabled, re-enabled ones enabled, gone
 * ones (confirmed by a direct lookup) deprovisioned. Profile changes wait for the full pass.
 */
export class CheapSyncPass {
  readonly #config: SyncConfig;
  readonly #writer: UserAccountWriter;

  constructor(private readonly deps: CheapSyncPassDeps) {
    this.#config = syncConfigSchema.parse(deps.config ?? {});
    // No journal: a pass against it saves its map whole.
    this.#writer = new UserAccountWriter({ ...deps, policy: this.#config.deprovisionPolicy });
  }

  /** Runs `task` for each user at most `concurrency` at once; a user's failure is reported, not thrown. */
  async #forEach<T extends { readonly id: string }>(
    items: readonly T[],
    task: (item: T) => Promise<void>,
    failed: { userId: string; code: ErrorCode }[],
    signal: AbortSignal,
  ): Promise<void> {
    const pool = new BoundedPool(this.#config.concurrency);
    for (const item of items)
      await pool.run(async () => {
        try {
          signal.throwIfAborted();
          await task(item);
        } catch (error) {
          const code = toAppError(error).code;
          if (code === 'CANCELLED') throw error;
          failed.push({ userId: item.id, code });
        }
      });
    await pool.drain();
  }

  async execute(opts: CallOptions = {}): Promise<CheapPassReport> {
    const signal = opts.signal ?? new AbortController().signal;
    const { userDirectory, identityProvider, syncUser } = this.deps;
    const ids = new Set(await userDirectory.listUserIds({ signal }));
    const disabled = new Set(await userDirectory.listDisabledUserIds({ signal }));
    const saved = await this.deps.syncJournal?.load({ signal });
    if (this.deps.syncJournal && saved)
      return this.#againstDigest(ids, disabled, saved, this.deps.syncJournal, signal);
    const managed = new Map<string, ManagedIdpUser>();
    for await (const page of identityProvider.listManagedUsers({ signal }))
      for (const u of page) managed.set(u.nextcloudId, u);
    UserAccountWriter.assertListingMayDeprovision(
      ids.size,
      [...managed.values()].filter((u) => u.enabled).length,
    );

    const toSync: { id: string; kind: 'created' | 'disabled' | 'reenabled' }[] = [];
    for (const id of ids) {
      const current = managed.get(id);
      if (!current) toSync.push({ id, kind: 'created' });
      else if (current.enabled && disabled.has(id)) toSync.push({ id, kind: 'disabled' });
      else if (!current.enabled && !disabled.has(id)) toSync.push({ id, kind: 'reenabled' });
    }
    const gone = [...managed.values()].filter(
      (u) => !ids.has(u.nextcloudId) && (u.enabled || this.#config.deprovisionPolicy === 'delete'),
    );

    const counts = { created: 0, disabled: 0, reenabled: 0, deprovisioned: 0 };
    const failed: { userId: string; code: ErrorCode }[] = [];
    const work = [
      ...toSync.map(({ id, kind }) => ({ id, kind, gone: false })),
      ...gone.map((user) => ({ id: user.nextcloudId, kind: 'deprovisioned' as const, gone: true })),
    ];
    await this.#forEach(
      work,
      async ({ id, kind, gone: isGone }) => {
        if (!isGone) {
          await syncUser.execute({ userId: id }, { signal });
          counts[kind]++;
          return;
        }
        // Missing from the id list: the writer looks in both before taking access away.
        const outcome = await this.#writer.bringInLine(id, undefined, { signal });
        if (outcome.kind === 'disable' || outcome.kind === 'delete') counts.deprovisioned++;
      },
      failed,
      signal,
    );
    const report: CheapPassReport = {
      kind: 'cheap',
      pass: 'verify',
      directoryUsers: ids.size,
      ...counts,
      failed,
    };
    (this.deps.logger ?? noopLogger).info({ ...counts, failed: failed.length }, 'reconcile pass done');
    return report;
  }

  /**
   * The same comparison against the saved digest instead of the identity provider's listing: only
   * users whose id or enabled state differs from it are read from the identity provider (a user
   * gone from Nextcloud is looked up in both before losing access).
   */
  async #againstDigest(
    ids: ReadonlySet<string>,
    disabled: ReadonlySet<string>,
    saved: Map<string, string>,
    store: SyncJournal,
    signal: AbortSignal,
  ): Promise<CheapPassReport> {
    const gone = [...saved].filter(([id, digest]) => !ids.has(id) && digest !== DEPROVISIONED_DIGEST);
    UserAccountWriter.assertListingMayDeprovision(ids.size, gone.length);
    const toSync: { id: string; kind: 'created' | 'disabled' | 'reenabled' | 'deprovisioned' }[] = [];
    for (const id of ids) {
      const digest = saved.get(id);
      if (digest === undefined) toSync.push({ id, kind: 'created' });
      else if (disabled.has(id) ? isEnabledDigest(digest) : !isEnabledDigest(digest))
        toSync.push({ id, kind: disabled.has(id) ? 'disabled' : 'reenabled' });
    }
    for (const [id] of gone) toSync.push({ id, kind: 'deprovisioned' });

    const counts = { created: 0, disabled: 0, reenabled: 0, deprovisioned: 0 };
    const failed: { userId: string; code: ErrorCode }[] = [];
    await this.#forEach(
      toSync,
      async ({ id, kind }) => {
        const outcome = await this.#writer.bringInLine(id, undefined, { signal });
        if (outcome.digest === undefined) saved.delete(id);
        else saved.set(id, outcome.digest);
        if (outcome.kind !== 'unchanged') counts[kind]++;
      },
      failed,
      signal,
    );
    // An unchanged pass rewrites nothing (the digest is ~40 bytes a user, and this runs every
    // minute); changes recorded between passes stay in their journal until a pass saves.
    if (toSync.length > 0) await store.save(saved, { signal });
    (this.deps.logger ?? noopLogger).info(
      { ...counts, failed: failed.length, pass: 'digest' },
      'reconcile pass done',
    );
    return { kind: 'cheap', pass: 'digest', directoryUsers: ids.size, ...counts, failed };
  }
}
