import type { CallOptions } from '../signal.js';

/**
 * The sync journal: what the last sync wrote to the identity provider, one compact profile digest
 * per managed user keyed by Nextcloud id (see `domain/sync-digest.ts`), plus the writes recorded
 * since, kept where it survives a restart. ("Digest" names the per-user hash alone.) It lets a pass that
 * finds Nextcloud unchanged skip the identity provider entirely; it is never the only evidence for
 * taking access away (a user missing from Nextcloud is looked up in both before that).
 */
export interface SyncJournal {
  /** The saved digests, or `undefined` when there are none to trust (missing, unreadable, another realm). */
  load(opts?: CallOptions): Promise<Map<string, string> | undefined>;
  /**
   * Replaces the saved digests atomically (a crash leaves the old set or the new one, never a mix),
   * and with them the changes recorded before the last `load`; later changes stay.
   */
  save(entries: ReadonlyMap<string, string>, opts?: CallOptions): Promise<void>;
  /**
   * Records what a write outside a full pass did to some users (`null`: forget the user), cheaply
   * (appended, not rewritten): the token API's just-in-time creates, `/api/sync-user`, deletes. The
   * next `load` applies them, so a user created between two passes is not unknown to the next one.
   */
  record(changes: ReadonlyMap<string, string | null>, opts?: CallOptions): Promise<void>;
}
