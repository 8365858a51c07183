import pLimit from 'p-limit';
import { syncConfigSchema, type SyncConfig } from '../../config/core-config.schema.js';
import {
  planSync,
  type DeprovisionPolicy,
  type SyncAction,
  type SyncActionKind,
} from '../../domain/sync-plan.js';
import type { DirectoryUser, ManagedIdpUser } from '../../domain/user.js';
import { CancelledError, InvalidInputError, UpstreamError, toAppError } from '../../errors/errors.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from '../shared/access-cache.js';
import { UserProvisioner } from '../shared/user-provisioner.js';
import type { SyncDigestStore } from '../../ports/sync-digest-store/sync-digest-store.port.js';
import { DEPROVISIONED_DIGEST, digestOfSpec } from '../../domain/sync-digest.js';
import { toManagedUserSpec } from '../../domain/user.js';
import { runDigestPass } from './sync-all-users.digest-pass.js';
import { syncAllUsersInputSchema, type SyncAllUsersInput } from './sync-all-users.input.js';
import type { SyncFailure, SyncProgress, SyncReport } from './sync-all-users.report.js';

export interface SyncAllUsersDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  /** Where the digest of the last pass is kept; without one every pass reads the identity provider. */
  readonly digestStore?: SyncDigestStore | undefined;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly accessCache?: AccessCache;
  readonly config?: Partial<SyncConfig>;
}

export interface SyncAllUsersOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
}

/**
 * Brings every managed identity-provider user in line with the directory:
 * read every directory page (any failure aborts before a single write) → read the managed users →
 * pure diff → apply with bounded concurrency. Per-user failures land in the report; unchanged
 * users cost no write; users without the managed marker are never touched.
 */
export class SyncAllUsers {
  readonly #config: SyncConfig;
  readonly #provisioner: UserProvisioner;
  /** Set when a digest pass failed: the next pass verifies against the identity provider. */
  #verifyNext = false;

  constructor(private readonly deps: SyncAllUsersDeps) {
    this.#config = syncConfigSchema.parse(deps.config ?? {});
    this.#provisioner = new UserProvisioner(deps.identityProvider, deps.accessCache);
  }

  /**
   * A user missing from the listing is looked up once more before losing access: a listing can
   * skip a user when the directory changes between two pages.
   */
  async #confirm(action: SyncAction, policy: DeprovisionPolicy, signal: AbortSignal): Promise<SyncAction> {
    if (action.kind !== 'disable' && action.kind !== 'delete') return action;
    const still = await this.deps.userDirectory.getUser(action.nextcloudId, { signal });
    if (!still) return action;
    return (await planSync([still], [action.current], policy)).actions[0]!;
  }

  async execute(input: SyncAllUsersInput = {}, opts: SyncAllUsersOptions = {}): Promise<SyncReport> {
    const parsed = syncAllUsersInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const { dryRun } = parsed.data;
    const concurrency = parsed.data.concurrency ?? this.#config.concurrency;
    const policy = parsed.data.deprovisionPolicy ?? this.#config.deprovisionPolicy;
    const signal = opts.signal ?? new AbortController().signal;
    const logger = this.deps.logger ?? noopLogger;
    const started = this.deps.clock.now();
    const store = this.deps.digestStore;

    const saved =
      store && !dryRun && !parsed.data.verify && !this.#verifyNext ? await store.load({ signal }) : undefined;
    if (store && !dryRun) this.#verifyNext = true; // until a pass has finished cleanly
    const pass =
      store && saved
        ? await runDigestPass({ ...this.deps, provisioner: this.#provisioner }, saved, {
            policy,
            concurrency,
            pageSize: this.#config.pageSize,
            signal,
            onProgress: opts.onProgress,
          })
        : undefined;
    if (store && pass && pass !== 'verify instead') {
      await store.save(pass.digest, { signal });
      this.#verifyNext = pass.failed.length > 0;
      const report: SyncReport = {
        dryRun,
        total: pass.total,
        ...countsOf(pass.done),
        failed: pass.failed,
        durationMs: this.deps.clock.now() - started,
        pass: 'digest',
      };
      logger.info({ ...countsOf(pass.done), failed: pass.failed.length, pass: 'digest' }, 'sync finished');
      return report;
    }

    const directoryUsers: DirectoryUser[] = [];
    for await (const page of this.deps.userDirectory.listUsers({ signal, pageSize: this.#config.pageSize })) {
      directoryUsers.push(...page);
    }
    const managedUsers: ManagedIdpUser[] = [];
    for await (const page of this.deps.identityProvider.listManagedUsers({ signal }))
      managedUsers.push(...page);

    if (directoryUsers.length === 0 && managedUsers.some((u) => u.enabled)) {
      // A directory never has zero users (its admin exists): an empty listing means we may not see them.
      throw new UpstreamError(
        `the user directory listed no users; refusing to deprovision ${managedUsers.length} managed users (is the acting user a Nextcloud admin?)`,
      );
    }
    const plan = await planSync(directoryUsers, managedUsers, policy);
    const total = plan.actions.length;
    logger.info({ total, dryRun, ...plan.counts }, 'sync planned');
    if (dryRun) {
      return {
        dryRun,
        total,
        ...countsOf(plan.counts),
        failed: [],
        durationMs: this.deps.clock.now() - started,
        pass: 'verify',
        plan,
      };
    }

    const done: Record<SyncActionKind, number> = {
      create: 0,
      update: 0,
      disable: 0,
      delete: 0,
      unchanged: 0,
    };
    const failed: SyncFailure[] = [];
    let finished = 0;
    const limit = pLimit(concurrency);
    const batchSize = this.#config.bulkCreateBatchSize;
    const bulk = batchSize > 0 && this.deps.identityProvider.createUsers !== undefined;
    const creates = bulk
      ? plan.actions.filter((a): a is Extract<SyncAction, { kind: 'create' }> => a.kind === 'create')
      : [];
    const oneByOne = bulk ? plan.actions.filter((a) => a.kind !== 'create') : plan.actions;
    const fail = (userId: string, action: SyncActionKind, error: unknown): void => {
      const appError = toAppError(error);
      if (appError.code === 'CANCELLED') return;
      failed.push({ userId, action, code: appError.code, message: appError.message });
      logger.warn({ userId, action, code: appError.code }, 'sync of a user failed');
    };
    const advance = (n: number): void => {
      finished += n;
      opts.onProgress?.({ done: finished, total });
    };
    const batches: (typeof creates)[] = [];
    for (let i = 0; i < creates.length; i += batchSize) batches.push(creates.slice(i, i + batchSize));
    await Promise.allSettled([
      ...batches.map((batch) =>
        limit(async () => {
          try {
            signal.throwIfAborted();
            const results = await this.deps.identityProvider.createUsers!(
              batch.map((a) => a.spec),
              { signal },
            );
            for (const r of results) {
              if (r.ok) done.create++;
              else fail(r.nextcloudId, 'create', r.error);
            }
          } catch (error) {
            for (const a of batch) fail(a.nextcloudId, 'create', error);
          } finally {
            advance(batch.length);
          }
        }),
      ),
      ...oneByOne.map((action) =>
        limit(async () => {
          try {
            signal.throwIfAborted();
            const confirmed = await this.#confirm(action, policy, signal);
            await this.#provisioner.apply(confirmed, { signal });
            done[confirmed.kind]++;
          } catch (error) {
            fail(action.nextcloudId, action.kind, error);
          } finally {
            advance(1);
          }
        }),
      ),
    ]);
    if (signal.aborted) {
      throw new CancelledError('sync cancelled', { details: { ...countsOf(done), failed: failed.length } });
    }
    if (store) {
      await store.save(await verifiedDigest(directoryUsers, plan.actions, failed, policy), { signal });
      this.#verifyNext = failed.length > 0;
    }
    const report: SyncReport = {
      dryRun,
      total,
      ...countsOf(done),
      failed,
      durationMs: this.deps.clock.now() - started,
      pass: 'verify',
    };
    logger.info({ ...countsOf(done), failed: failed.length, durationMs: report.durationMs }, 'sync finished');
    return report;
  }
}

function countsOf(counts: Readonly<Record<SyncActionKind, number>>) {
  return {
    created: counts.create,
    updated: counts.update,
    disabled: counts.disable,
    deleted: counts.delete,
    unchanged: counts.unchanged,
  };
}

/**
 * The digest after a verifying pass: every directory user as now written, every managed user the
 * directory no longer has as deprovisioned (gone under the delete policy); failed users left out,
 * so the next pass treats them as changed.
 */
async function verifiedDigest(
  directoryUsers: readonly DirectoryUser[],
  actions: readonly SyncAction[],
  failed: readonly SyncFailure[],
  policy: DeprovisionPolicy,
): Promise<Map<string, string>> {
  const failedIds = new Set(failed.map((f) => f.userId));
  const digest = new Map<string, string>();
  for (const user of directoryUsers) {
    if (digest.has(user.id) || failedIds.has(user.id)) continue;
    digest.set(user.id, await digestOfSpec(await toManagedUserSpec(user)));
  }
  if (policy === 'delete') return digest;
  for (const action of actions) {
    if (digest.has(action.nextcloudId) || failedIds.has(action.nextcloudId)) continue;
    if (action.kind === 'disable' || action.kind === 'unchanged')
      digest.set(action.nextcloudId, DEPROVISIONED_DIGEST);
  }
  return digest;
}
