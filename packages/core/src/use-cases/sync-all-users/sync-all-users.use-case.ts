import { syncConfigSchema, type SyncConfig } from '../../config/core-config.schema.js';
import { planSync, type DeprovisionPolicy, type SyncActionKind } from '../../domain/sync-plan.js';
import type { DirectoryUser, ManagedIdpUser } from '../../domain/user.js';
import { CancelledError, InvalidInputError } from '../../errors/errors.js';
import type { Clock } from '../../ports/clock/clock.port.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.port.js';
import type { SyncJournal } from '../../ports/sync-journal/sync-journal.port.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import type { AccessCache } from '../shared/access-cache.js';
import { UserAccountWriter } from '../shared/user-account-writer.js';
import { syncAllUsersInputSchema, type SyncAllUsersInput } from './sync-all-users.input.js';
import type { SyncPassKind, SyncProgress, SyncReport } from './sync-all-users.report.js';
import { identityProviderDigests, runStreamedPass } from './sync-all-users.streamed-pass.js';

export interface SyncAllUsersDeps {
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  /** Where the digest of the last pass is kept; without one every pass reads the identity provider. */
  readonly syncJournal?: SyncJournal | undefined;
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
 * Brings every managed identity-provider user in line with the directory, in one streamed pass
 * (`runStreamedPass`) against what is known of the identity provider: the digest the last pass
 * saved, or, on a verifying pass, the digests of the identity provider's managed users read just
 * before. A pass verifies when there is no digest store or no saved digest, when asked to
 * (`verify`), and after a pass that failed. Per-user failures land in the report; unchanged users
 * cost no write; users without the managed marker are never touched.
 */
export class SyncAllUsers {
  readonly #config: SyncConfig;
  /** Set when a digest pass failed: the next pass verifies against the identity provider. */
  #verifyNext = false;

  constructor(private readonly deps: SyncAllUsersDeps) {
    this.#config = syncConfigSchema.parse(deps.config ?? {});
  }

  async execute(input: SyncAllUsersInput = {}, opts: SyncAllUsersOptions = {}): Promise<SyncReport> {
    const parsed = syncAllUsersInputSchema.safeParse(input);
    if (!parsed.success) throw new InvalidInputError(parsed.error.issues.map((i) => i.message).join('; '));
    const concurrency = parsed.data.concurrency ?? this.#config.concurrency;
    const policy = parsed.data.deprovisionPolicy ?? this.#config.deprovisionPolicy;
    const signal = opts.signal ?? new AbortController().signal;
    const logger = this.deps.logger ?? noopLogger;
    const started = this.deps.clock.now();
    if (parsed.data.dryRun) return this.#dryRun(policy, signal, started);

    const store = this.deps.syncJournal;
    const saved =
      store && !parsed.data.verify && !this.#verifyNext ? await store.load({ signal }) : undefined;
    if (store) this.#verifyNext = true; // until a pass has finished cleanly
    const kind: SyncPassKind = saved ? 'digest' : 'verify';
    const known = saved ?? (await identityProviderDigests(this.deps.identityProvider, signal));
    // No journal for the writer: the pass keeps its own map and saves it whole.
    const writer = new UserAccountWriter({ ...this.deps, policy });
    const pass = await runStreamedPass({ ...this.deps, writer }, known, kind, {
      policy,
      concurrency,
      pageSize: this.#config.pageSize,
      bulkCreateBatchSize: this.#config.bulkCreateBatchSize,
      signal,
      onProgress: opts.onProgress,
    });
    for (const f of pass.failed)
      logger.warn({ userId: f.userId, action: f.action, code: f.code }, 'sync of a user failed');
    if (signal.aborted) {
      throw new CancelledError('sync cancelled', {
        details: { ...countsOf(pass.done), failed: pass.failed.length },
      });
    }
    if (store) {
      await store.save(pass.digest, { signal });
      this.#verifyNext = pass.failed.length > 0;
    }
    const report: SyncReport = {
      dryRun: false,
      total: pass.total,
      ...countsOf(pass.done),
      failed: pass.failed,
      durationMs: this.deps.clock.now() - started,
      pass: kind,
    };
    logger.info(
      {
        ...countsOf(pass.done),
        failed: pass.failed.length,
        pass: report.pass,
        durationMs: report.durationMs,
      },
      'sync finished',
    );
    return report;
  }

  /**
   * What a pass would do, as a plan: both listings are read whole (a dry run is asked for by a
   * person, not run every minute), and nothing is written.
   */
  async #dryRun(policy: DeprovisionPolicy, signal: AbortSignal, started: number): Promise<SyncReport> {
    const directoryUsers: DirectoryUser[] = [];
    for await (const page of this.deps.userDirectory.listUsers({ signal, pageSize: this.#config.pageSize }))
      directoryUsers.push(...page);
    const managedUsers: ManagedIdpUser[] = [];
    for await (const page of this.deps.identityProvider.listManagedUsers({ signal }))
      managedUsers.push(...page);
    const plan = await planSync(directoryUsers, managedUsers, policy);
    return {
      dryRun: true,
      total: plan.actions.length,
      ...countsOf(plan.counts),
      failed: [],
      durationMs: this.deps.clock.now() - started,
      pass: 'verify',
      plan,
    };
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
