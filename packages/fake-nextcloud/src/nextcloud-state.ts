import type { ExAppTarget } from './exapp-request.js';
import type { HarpBanList } from './harp-ban-list.js';
import type { UserStore } from './user-store.js';

export type AccessLevel = 'PUBLIC' | 'USER' | 'ADMIN';

/** A route from info.xml (§7.2). */
export interface ProxyRoute {
  readonly url: string;
  readonly verb: string;
  readonly accessLevel: AccessLevel;
  readonly bruteforceProtection?: readonly number[];
}

/** oc_sessionPassphrase cookie value → logged-in user id. */
export type SessionTable = Map<string, string>;

export interface FakeExAppRecord {
  readonly appId: string;
  secret: string;
  version: string;
  enabled: boolean;
  routes: ProxyRoute[];
  target: ExAppTarget | undefined;
}

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly user: string | null;
  readonly body: unknown;
  readonly at: number;
}

/**
 * The fake Nextcloud's state as its parts (the proxies, AppAPI's endpoints and role) read and change
 * it; `FakeNextcloud` holds it. The parts depend on this, not on the server class, so no import
 * runs in a circle.
 */
export interface NextcloudState {
  readonly users: UserStore;
  /** The Nextcloud version played (`major.minor.patch`). */
  version: string;
  readonly exApp: FakeExAppRecord;
  /** Other ExApps deployed beside it (consumers), reached through the same proxies. */
  readonly otherExApps: Map<string, FakeExAppRecord>;
  readonly calls: RecordedCall[];
  readonly topMenus: Map<string, Record<string, unknown>>;
  readonly scripts: Map<string, Record<string, unknown>>;
  readonly initStatus: { progress: number; error: string };
  /** Nextcloud's log as ExApps write it through AppAPI (`POST /api/v1/log`). */
  readonly log: { readonly app: string; readonly level: number; readonly message: string }[];
  readonly sessions: SessionTable;
  readonly harpBans: HarpBanList;
  readonly classicBruteforceAttempts: Map<string, number>;
  isAdmin(userId: string): boolean;
}
