import type { ErrorCode } from '../../errors/codes.js';
import type { SyncActionKind, SyncPlan } from '../../domain/sync-plan.js';

export interface SyncFailure {
  readonly userId: string;
  readonly action: SyncActionKind;
  readonly code: ErrorCode;
  readonly message: string;
}

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
  /**
   * `verify`: compared with the identity provider; `digest`: compared with the saved digest, so
   * only changed users were read from the identity provider.
   */
  readonly pass: 'verify' | 'digest';
  /** Only for dry runs: what would be done. */
  readonly plan?: SyncPlan | undefined;
}

export interface SyncProgress {
  readonly done: number;
  readonly total: number;
}
