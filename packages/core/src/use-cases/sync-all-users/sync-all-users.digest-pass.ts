import pLimit from 'p-limit';
import type { DeprovisionPolicy, SyncActionKind } from '../../domain/sync-plan.js';
import { DEPROVISIONED_DIGEST, digestOfSpec } from '../../domain/sync-digest.js';
import { toManagedUserSpec, type DirectoryUser } from '../../domain/user.js';
import { UpstreamError, toAppError } from '../../errors/errors.js';
import type { IdentityProvider } from '../../ports/identity-provider/identity-provider.port.js';
import type { UserDirectory } from '../../ports/user-directory/user-directory.port.js';
import { DigestedUserSync } from '../shared/digested-user-sync.js';
import type { UserProvisioner } from '../shared/user-provisioner.js';
import type { SyncFailure, SyncProgress } from './sync-all-users.report.js';

export interface DigestPassResult {
  readonly done: Record<SyncActionKind, number>;
  readonly failed: SyncFailure[];
  readonly total: number;
  readonly digest: Map<string, string>;
}

/**
 * Users the digest does not know are looked up one by one; past this many (and past 5 % of the
 * directory), listing Keycloak once and creating in bulk is cheaper, so the pass verifies instead.
 */
export const MAX_UNKNOWN_USERS = 100;

/**
 * A full sync against the saved digest: Nextcloud's listing is read page by page and each user's
 * digest compared with the saved one; only users that differ (and users the listing no longer has)
 * reach the identity provider. An unchanged directory costs no identity-provider read at all.
 */
export async function runDigestPass(
  deps: {
    readonly identityProvider: IdentityProvider;
    readonly userDirectory: UserDirectory;
    readonly provisioner: UserProvisioner;
  },
  saved: ReadonlyMap<string, string>,
  opts: {
    readonly policy: DeprovisionPolicy;
    readonly concurrency: number;
    readonly pageSize: number;
    readonly signal: AbortSignal;
    readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
  },
): Promise<DigestPassResult | 'verify instead'> {
  const { signal } = opts;
  const seen = new Set<string>();
  const changed: { id: string; user: DirectoryUser | undefined }[] = [];
  for await (const page of deps.userDirectory.listUsers({ signal, pageSize: opts.pageSize })) {
    for (const user of page) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      const digest = await digestOfSpec(await toManagedUserSpec(user));
      if (saved.get(user.id) !== digest) changed.push({ id: user.id, user });
    }
  }
  const gone = [...saved].filter(([id, digest]) => !seen.has(id) && digest !== DEPROVISIONED_DIGEST);
  if (seen.size === 0 && gone.length > 0) {
    // A directory never has zero users (its admin exists): an empty listing means we may not see them.
    throw new UpstreamError(
      `the user directory listed no users; refusing to deprovision ${gone.length} managed users (is the acting user a Nextcloud admin?)`,
    );
  }
  const unknown = changed.filter((c) => !saved.has(c.id)).length;
  if (unknown > MAX_UNKNOWN_USERS && unknown > seen.size / 20) return 'verify instead';
  for (const [id] of gone) changed.push({ id, user: undefined });

  const next = new Map(saved);
  const done: Record<SyncActionKind, number> = { create: 0, update: 0, disable: 0, delete: 0, unchanged: 0 };
  done.unchanged = seen.size - changed.filter((c) => c.user).length;
  const failed: SyncFailure[] = [];
  const one = new DigestedUserSync(deps.identityProvider, deps.userDirectory, deps.provisioner, opts.policy);
  const limit = pLimit(opts.concurrency);
  const total = seen.size + gone.length;
  let finished = total - changed.length;
  await Promise.all(
    changed.map(({ id, user }) =>
      limit(async () => {
        try {
          signal.throwIfAborted();
          const outcome = await one.sync(id, user, { signal });
          done[outcome.kind]++;
          if (outcome.digest === undefined) next.delete(id);
          else next.set(id, outcome.digest);
        } catch (error) {
          const appError = toAppError(error);
          if (appError.code === 'CANCELLED') throw error;
          // A listed user without a digest counts as changed on the next pass; a gone one keeps
          // theirs, so the next pass looks for them again. Either way they are retried.
          if (user) next.delete(id);
          const action = user ? 'update' : opts.policy === 'delete' ? 'delete' : 'disable';
          failed.push({ userId: id, action, code: appError.code, message: appError.message });
        } finally {
          opts.onProgress?.({ done: ++finished, total });
        }
      }),
    ),
  );
  return { done, failed, total, digest: next };
}
