// Errors
export { ERROR_CODES, type ErrorCode } from './errors/codes.js';
export { AppError, isAppError, type AppErrorOptions } from './errors/app-error.js';
export * from './errors/errors.js';

// Domain
export { Secret } from './domain/secret.js';
export {
  USERNAME_MAX_LENGTH,
  isValidKeycloakUsername,
  nextcloudIdFromUsername,
  usernameForNextcloudId,
} from './domain/username.js';
export {
  NEXTCLOUD_ID_ATTRIBUTE,
  PASSWORD_KEY_ATTRIBUTE,
  differingFields,
  normalizeEmail,
  normalizeGroups,
  splitDisplayName,
  toManagedUserSpec,
  type DirectoryUser,
  type IdpUser,
  type ManagedIdpUser,
  type ManagedUserSpec,
} from './domain/user.js';
export { toTokenSet, type TokenGrantResult, type TokenSet } from './domain/token.js';
export {
  planSync,
  type DeprovisionPolicy,
  type SyncAction,
  type SyncActionKind,
  type SyncPlan,
} from './domain/sync-plan.js';
export { exchangeScopeFor } from './domain/realm.js';
export type {
  BackchannelLogoutSpec,
  ClientCredentials,
  ClientSpec,
  GroupRolesSpec,
  RealmReconcileReport,
  RealmSpec,
  SignInEndpoints,
  SignInSpec,
} from './domain/realm.js';

// Config
export * from './config/core-config.schema.js';

// Ports and their tokens
export type { CallOptions } from './ports/signal.js';
export type {
  BulkCreateResult,
  IdentityProvider,
  PasswordGrantInput,
  RefreshGrantInput,
} from './ports/identity-provider/identity-provider.port.js';
export { IDENTITY_PROVIDER } from './ports/identity-provider/identity-provider.token.js';
export type { UserDirectory } from './ports/user-directory/user-directory.port.js';
export { USER_DIRECTORY } from './ports/user-directory/user-directory.token.js';
export type { PasswordVault } from './ports/password-vault/password-vault.port.js';
export { PASSWORD_VAULT } from './ports/password-vault/password-vault.token.js';
export { DerivedPasswordVault } from './ports/password-vault/derived-password-vault.js';
export type { SyncJournal } from './ports/sync-journal/sync-journal.port.js';
export { SYNC_JOURNAL } from './ports/sync-journal/sync-journal.token.js';
export {
  DEPROVISIONED_DIGEST,
  digestOfIdpUser,
  digestOfSpec,
  isEnabledDigest,
} from './domain/sync-digest.js';
export type {
  ProcessState,
  ProcessStatus,
  ProcessStatusListener,
  ProcessSupervisor,
} from './ports/process-supervisor/process-supervisor.port.js';
export { PROCESS_SUPERVISOR } from './ports/process-supervisor/process-supervisor.token.js';
export { systemClock, type Clock } from './ports/clock/clock.port.js';
export { CLOCK } from './ports/clock/clock.token.js';
export { noopLogger, type Logger } from './ports/logger/logger.port.js';
export { LOGGER } from './ports/logger/logger.token.js';

// Use cases
export {
  AccessCache,
  DEFAULT_MAX_TOKEN_SETS,
  type AccessCacheOptions,
  type VerifiedAccount,
} from './use-cases/shared/access-cache.js';
export { SingleFlight } from './use-cases/shared/single-flight.js';
export { AcceptedValues } from './use-cases/shared/accepted-values.js';
export {
  BootstrapRealm,
  type BootstrapRealmDeps,
} from './use-cases/bootstrap-realm/bootstrap-realm.use-case.js';
export {
  SyncUser,
  syncUserInputSchema,
  type SyncUserDeps,
  type SyncUserInput,
  type SyncUserResult,
} from './use-cases/sync-user/sync-user.use-case.js';
export {
  SyncAllUsers,
  type SyncAllUsersDeps,
  type SyncAllUsersOptions,
} from './use-cases/sync-all-users/sync-all-users.use-case.js';
export {
  syncAllUsersInputSchema,
  type SyncAllUsersInput,
} from './use-cases/sync-all-users/sync-all-users.input.js';
export type {
  SyncFailure,
  SyncPassKind,
  SyncProgress,
  SyncReport,
} from './use-cases/sync-all-users/sync-all-users.report.js';
export {
  DeleteUser,
  deleteUserInputSchema,
  type DeleteUserDeps,
  type DeleteUserInput,
  type DeleteUserResult,
} from './use-cases/delete-user/delete-user.use-case.js';
export {
  IssueToken,
  type IssueTokenDeps,
  type IssuedToken,
  type TokenSource,
} from './use-cases/issue-token/issue-token.use-case.js';
export { issueTokenInputSchema, type IssueTokenInput } from './use-cases/issue-token/issue-token.input.js';
export {
  SignInWithNextcloud,
  type AuthorizeOutcome,
  type AuthorizeRequest,
  type BrokerClient,
  type BrokerTokenAnswer,
  type BrokerUserInfo,
  type CodeRedemption,
  type SignInWithNextcloudDeps,
} from './use-cases/sign-in-with-nextcloud/sign-in-with-nextcloud.use-case.js';
export {
  InitializeExApp,
  type InitHooks,
  type InitResult,
  type InitStep,
  type InitializeExAppDeps,
} from './use-cases/initialize-exapp/initialize-exapp.use-case.js';
export {
  CheapSyncPass,
  type CheapPassReport,
  type CheapSyncPassDeps,
} from './use-cases/cheap-sync-pass/cheap-sync-pass.use-case.js';
export {
  SyncScheduler,
  type SyncRunKind,
  type SyncSchedulerOptions,
  type SyncSchedulerStatus,
} from './use-cases/cheap-sync-pass/sync-scheduler.js';
export {
  RotatePasswordKey,
  type RotatePasswordKeyDeps,
  type RotatePasswordKeyInput,
  type RotationProgress,
} from './use-cases/rotate-password-key/rotate-password-key.use-case.js';
