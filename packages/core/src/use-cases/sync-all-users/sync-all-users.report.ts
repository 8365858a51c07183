import type { ErrorCode } from '../../errors/codes.js';
import type { SyncActionKind, SyncPlan } from '../../domain/sync-plan.js';

export interface SyncFailure {
  readonly userId: string;
  readonly action: SyncActionKind;
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * What a full pass compares Nextcloud's listing with: `digest`, the digest the last pass saved
 * (only changed users are read from the identity provider); `verify`, what the identity provider
 * holds now (repairs drift).
 */
export type SyncPassKind = 'digest' | 'verify';

export interface SyncReport {
  readonly dryRun: boolean;
  readonly total: number;
  readonly created: number;
  readonly updated: number;
  readonly disabled: number;
  readonly deleted: number;
  readonly unchanged: number;
  readonly failed: readonly SyncFailure[];
  readonly durationMs: number;
  readonly pass: SyncPassKind;
  /** Only for dry runs: what would be done. */
  readonly plan?: SyncPlan | undefined;
}

export interface SyncProgress {
  readonly done: number;
  readonly total: number;
}
