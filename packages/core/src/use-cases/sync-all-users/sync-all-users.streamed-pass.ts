import type { DeprovisionPolicy, SyncActionKind } from '../../domain/sync-plan.js';
import {
  DEPROVISIONED_DIGEST,
  digestOfIdpUser,
  digestOfSpec,
  isEnabledDigest,
} from '../../domain/sync-digest.js';
import { toManagedUserSpec, type DirectoryUser } from '../../domain/user.js';
import { toAppError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import { BoundedPool } from '../shared/bounded-pool.js';
import { UserAccountWriter, type CreateOutcome, type PendingCreate } from '../shared/user-account-writer.js';
import type { SyncFailure, SyncPassKind, SyncProgress } from './sync-all-users.report.js';

export interface StreamedPassResult {
  readonly done: Record<SyncActionKind, number>;
  readonly failed: SyncFailure[];
  readonly total: number;
  /** The digest after the pass: the `known` map, updated in place. */
  readonly digest: Map<string, string>;
}

export interface StreamedPassOptions {
  readonly policy: DeprovisionPolicy;
  readonly concurrency: number;
  readonly pageSize: number;
  /** Users per bulk create; 0 creates one by one. */
  readonly bulkCreateBatchSize: number;
  readonly signal: AbortSignal;
  readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
}

/**
 * The digest of every managed user the identity provider holds now, read page by page: one short
 * string per user, so a verifying pass never holds the identity provider's users themselves.
 */
export async function identityProviderDigests(
  identityProvider: IdentityProvider,
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for await (const page of identityProvider.listManagedUsers({ signal })) {
    const pageDigests = await Promise.all(page.map(digestOfIdpUser));
    for (const [i, user] of page.entries()) digests.set(user.nextcloudId, pageDigests[i]!);
  }
  return digests;
}

async function digestedSpec(user: DirectoryUser): Promise<PendingCreate> {
  const spec = await toManagedUserSpec(user);
  return { spec, digest: await digestOfSpec(spec) };
}

/**
 * One full pass that streams Nextcloud's listing: each page's users are compared by digest with
 * `known` while the next page is read, and only the users that differ reach the identity provider.
 * - Equal digest: nothing to do, nothing read.
 * - Not in `known`: created, in batches where the identity provider can. One that exists already
 *   (the token API created it since the digest was saved) comes back as it is and is brought in line.
 * - Different digest: read from the identity provider, planned and written (`UserAccountWriter`).
 * - In `known` but not listed: looked up in Nextcloud and the identity provider before losing
 *   access; the digest alone never takes it away.
 * At most `concurrency` writes run at once and the listing waits for a free one, so the pass holds
 * `known`, the ids it has seen and one page: its memory does not grow with profiles or with the
 * work queued. A listing that fails part-way leaves the users of the pages before written and
 * nobody deprovisioned (that needs the whole listing).
 */
export async function runStreamedPass(
  deps: {
    readonly identityProvider: IdentityProvider;
    readonly userDirectory: UserDirectory;
    readonly writer: UserAccountWriter;
  },
  known: Map<string, string>,
  kind: SyncPassKind,
  opts: StreamedPassOptions,
): Promise<StreamedPassResult> {
  const { signal, policy } = opts;
  const { identityProvider, writer } = deps;
  const pool = new BoundedPool(opts.concurrency);
  const done: Record<SyncActionKind, number> = { create: 0, update: 0, disable: 0, delete: 0, unchanged: 0 };
  const failed: SyncFailure[] = [];
  const seen = new Set<string>();
  const knownAtStart = known.size;
  let total = knownAtStart;
  let finished = 0;
  const advance = (): void => opts.onProgress?.({ done: ++finished, total: Math.max(total, finished) });
  const fail = (userId: string, action: SyncActionKind, error: unknown): void => {
    const appError = toAppError(error);
    if (appError.code === 'CANCELLED') return;
    failed.push({ userId, action, code: appError.code, message: appError.message });
  };

  const create = async (items: readonly PendingCreate[], bulk: boolean): Promise<void> => {
    const outcomes: CreateOutcome[] = await writer.createMany(items, { signal, bulk });
    for (const [i, outcome] of outcomes.entries()) {
      const id = outcome.nextcloudId;
      if (outcome.ok) {
        done[outcome.kind]++;
        known.set(id, items[i]!.digest);
      } else {
        known.delete(id); // the next pass treats the user as new again
        fail(id, 'create', outcome.error);
      }
      advance();
    }
  };
  const syncOne = async (id: string, user: DirectoryUser | undefined): Promise<void> => {
    try {
      signal.throwIfAborted();
      const outcome = await writer.bringInLine(id, user, { signal });
      done[outcome.kind]++;
      if (outcome.digest === undefined) known.delete(id);
      else known.set(id, outcome.digest);
    } catch (error) {
      // A listed user without a digest counts as changed on the next pass; a gone one keeps theirs,
      // so the next pass looks for them again. Either way they are retried.
      if (user) known.delete(id);
      fail(id, user ? 'update' : policy === 'delete' ? 'delete' : 'disable', error);
    } finally {
      advance();
    }
  };

  const bulk = opts.bulkCreateBatchSize > 0 && identityProvider.createUsers !== undefined;
  let creates: PendingCreate[] = [];
  try {
    for await (const page of deps.userDirectory.listUsers({ signal, pageSize: opts.pageSize })) {
      // A page's digests are computed together (Web Crypto works off the main thread), so the
      // page is done with in one short stretch instead of one hash round trip per user.
      const fresh: DirectoryUser[] = [];
      for (const user of page) {
        if (seen.has(user.id)) continue; // listed twice (the directory changed between pages)
        seen.add(user.id);
        fresh.push(user);
      }
      const digested = await Promise.all(fresh.map(digestedSpec));
      for (const [i, user] of fresh.entries()) {
        total = Math.max(total, seen.size);
        const { spec, digest } = digested[i]!;
        const before = known.get(user.id);
        if (before === digest) {
          done.unchanged++;
          advance();
        } else if (before === undefined && !bulk) {
          await pool.run(() => create([{ spec, digest }], false));
        } else if (before === undefined) {
          creates.push({ spec, digest });
          if (creates.length >= opts.bulkCreateBatchSize) {
            const batch = creates;
            creates = [];
            await pool.run(() => create(batch, true));
          }
        } else {
          await pool.run(() => syncOne(user.id, user));
        }
      }
    }
    if (creates.length > 0) await pool.run(() => create(creates, true));
  } catch (error) {
    await pool.drain(); // nothing keeps writing after the pass has failed
    throw error;
  }

  // Deprovisioning needs the whole listing: only now is "not listed" known.
  const gone: string[] = [];
  let alreadyDisabled = 0;
  for (const [id, digest] of known) {
    if (seen.has(id) || digest === DEPROVISIONED_DIGEST) continue;
    if (kind === 'verify' && policy === 'disable' && !isEnabledDigest(digest)) {
      known.set(id, DEPROVISIONED_DIGEST); // already disabled: nothing to take away
      done.unchanged++;
      alreadyDisabled++;
      total = Math.max(total, seen.size + alreadyDisabled);
      advance();
      continue;
    }
    gone.push(id);
  }
  UserAccountWriter.assertListingMayDeprovision(seen.size, gone.length);
  total = seen.size + alreadyDisabled + gone.length;
  for (const id of gone) await pool.run(() => syncOne(id, undefined));
  await pool.drain();
  return { done, failed, total, digest: known };
}
