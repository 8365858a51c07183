// "@keycloak-exapp/core/wiring": binds every use case from the port tokens, without decorators.
import { ContainerModule } from 'inversify';
import type { RealmSpec } from '../domain/realm.js';
import { tokenConfigSchema, type SyncConfig, type TokenConfigInput } from '../config/core-config.schema.js';
import type { Clock } from '../ports/clock/clock.port.js';
import { CLOCK } from '../ports/clock/clock.token.js';
import type { IdentityProvider } from '../ports/identity-provider/identity-provider.port.js';
import { IDENTITY_PROVIDER } from '../ports/identity-provider/identity-provider.token.js';
import type { Logger } from '../ports/logger/logger.port.js';
import { LOGGER } from '../ports/logger/logger.token.js';
import type { PasswordVault } from '../ports/password-vault/password-vault.port.js';
import { PASSWORD_VAULT } from '../ports/password-vault/password-vault.token.js';
import type { ProcessSupervisor } from '../ports/process-supervisor/process-supervisor.port.js';
import { PROCESS_SUPERVISOR } from '../ports/process-supervisor/process-supervisor.token.js';
import type { UserDirectory } from '../ports/user-directory/user-directory.port.js';
import { USER_DIRECTORY } from '../ports/user-directory/user-directory.token.js';
import type { SyncJournal } from '../ports/sync-journal/sync-journal.port.js';
import { SYNC_JOURNAL } from '../ports/sync-journal/sync-journal.token.js';

/** The digest store is optional: without one, every pass reads the identity provider. */
const OPTIONAL_DIGEST_STORE = { serviceIdentifier: SYNC_JOURNAL, optional: true } as const;
import { BootstrapRealm } from '../use-cases/bootstrap-realm/bootstrap-realm.use-case.js';
import { DeleteUser } from '../use-cases/delete-user/delete-user.use-case.js';
import { InitializeExApp } from '../use-cases/initialize-exapp/initialize-exapp.use-case.js';
import { IssueToken } from '../use-cases/issue-token/issue-token.use-case.js';
import { AccessCache } from '../use-cases/shared/access-cache.js';
import { SyncAllUsers } from '../use-cases/sync-all-users/sync-all-users.use-case.js';
import { SyncUser } from '../use-cases/sync-user/sync-user.use-case.js';
import { CheapSyncPass } from '../use-cases/cheap-sync-pass/cheap-sync-pass.use-case.js';

export const ACCESS_CACHE: unique symbol = Symbol.for('@keycloak-exapp/core.AccessCache');
export const BOOTSTRAP_REALM: unique symbol = Symbol.for('@keycloak-exapp/core.BootstrapRealm');
export const SYNC_USER: unique symbol = Symbol.for('@keycloak-exapp/core.SyncUser');
export const SYNC_ALL_USERS: unique symbol = Symbol.for('@keycloak-exapp/core.SyncAllUsers');
export const DELETE_USER: unique symbol = Symbol.for('@keycloak-exapp/core.DeleteUser');
export const ISSUE_TOKEN: unique symbol = Symbol.for('@keycloak-exapp/core.IssueToken');
export const INITIALIZE_EXAPP: unique symbol = Symbol.for('@keycloak-exapp/core.InitializeExApp');
export const CHEAP_SYNC_PASS: unique symbol = Symbol.for('@keycloak-exapp/core.CheapSyncPass');

/**
 * What `coreModule` binds, plus the port tokens it needs bound by adapters or the application:
 * the key of a typed container (`TypedContainer<CoreBindings & …>`, a type-only cast).
 */
export interface CoreBindings {
  [ACCESS_CACHE]: AccessCache;
  [BOOTSTRAP_REALM]: BootstrapRealm;
  [SYNC_USER]: SyncUser;
  [SYNC_ALL_USERS]: SyncAllUsers;
  [DELETE_USER]: DeleteUser;
  [ISSUE_TOKEN]: IssueToken;
  [INITIALIZE_EXAPP]: InitializeExApp;
  [CHEAP_SYNC_PASS]: CheapSyncPass;
  [IDENTITY_PROVIDER]: IdentityProvider;
  [USER_DIRECTORY]: UserDirectory;
  [PASSWORD_VAULT]: PasswordVault;
  [PROCESS_SUPERVISOR]: ProcessSupervisor;
  [SYNC_JOURNAL]: SyncJournal;
  [CLOCK]: Clock;
  [LOGGER]: Logger;
}

export interface CoreModuleConfig {
  readonly realmSpec: RealmSpec;
  readonly sync?: Partial<SyncConfig>;
  readonly token: TokenConfigInput;
}

/** The use cases, bound as singletons on the port tokens (which the adapters' modules bind). */
export function coreModule(config: CoreModuleConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    // One cache for every use case: a user that sync disables or deletes must lose cached tokens.
    bind(ACCESS_CACHE)
      .toResolvedValue(
        (clock: Clock) =>
          new AccessCache({ clock, maxTokenSets: tokenConfigSchema.parse(config.token).maxCachedTokenSets }),
        [CLOCK],
      )
      .inSingletonScope();
    bind(BOOTSTRAP_REALM)
      .toResolvedValue(
        (identityProvider: IdentityProvider, logger: Logger) =>
          new BootstrapRealm({ identityProvider, realmSpec: config.realmSpec, logger }),
        [IDENTITY_PROVIDER, LOGGER],
      )
      .inSingletonScope();
    bind(SYNC_USER)
      .toResolvedValue(
        (
          identityProvider: IdentityProvider,
          userDirectory: UserDirectory,
          accessCache: AccessCache,
          syncJournal?: SyncJournal,
        ) =>
          new SyncUser({
            identityProvider,
            userDirectory,
            accessCache,
            syncJournal,
            config: config.sync ?? {},
          }),
        [IDENTITY_PROVIDER, USER_DIRECTORY, ACCESS_CACHE, OPTIONAL_DIGEST_STORE],
      )
      .inSingletonScope();
    bind(SYNC_ALL_USERS)
      .toResolvedValue(
        (
          identityProvider: IdentityProvider,
          userDirectory: UserDirectory,
          clock: Clock,
          logger: Logger,
          accessCache: AccessCache,
          syncJournal?: SyncJournal,
        ) =>
          new SyncAllUsers({
            identityProvider,
            userDirectory,
            clock,
            logger,
            accessCache,
            syncJournal,
            config: config.sync ?? {},
          }),
        [IDENTITY_PROVIDER, USER_DIRECTORY, CLOCK, LOGGER, ACCESS_CACHE, OPTIONAL_DIGEST_STORE],
      )
      .inSingletonScope();
    bind(DELETE_USER)
      .toResolvedValue(
        (identityProvider: IdentityProvider, accessCache: AccessCache, syncJournal?: SyncJournal) =>
          new DeleteUser({ identityProvider, accessCache, syncJournal }),
        [IDENTITY_PROVIDER, ACCESS_CACHE, OPTIONAL_DIGEST_STORE],
      )
      .inSingletonScope();
    bind(ISSUE_TOKEN)
      .toResolvedValue(
        (
          identityProvider: IdentityProvider,
          userDirectory: UserDirectory,
          passwordVault: PasswordVault,
          clock: Clock,
          logger: Logger,
          accessCache: AccessCache,
          syncJournal?: SyncJournal,
          supervisor?: ProcessSupervisor,
        ) =>
          new IssueToken({
            identityProvider,
            userDirectory,
            passwordVault,
            clock,
            logger,
            accessCache,
            syncJournal,
            supervisor,
            config: config.token,
          }),
        [
          IDENTITY_PROVIDER,
          USER_DIRECTORY,
          PASSWORD_VAULT,
          CLOCK,
          LOGGER,
          ACCESS_CACHE,
          OPTIONAL_DIGEST_STORE,
          { serviceIdentifier: PROCESS_SUPERVISOR, optional: true },
        ],
      )
      .inSingletonScope();
    // One binding: the supervisor is there when this application runs Keycloak itself.
    bind(INITIALIZE_EXAPP)
      .toResolvedValue(
        (
          bootstrapRealm: BootstrapRealm,
          syncAllUsers: SyncAllUsers,
          logger: Logger,
          processSupervisor?: ProcessSupervisor,
        ) => new InitializeExApp({ processSupervisor, bootstrapRealm, syncAllUsers, logger }),
        [BOOTSTRAP_REALM, SYNC_ALL_USERS, LOGGER, { serviceIdentifier: PROCESS_SUPERVISOR, optional: true }],
      )
      .inSingletonScope();
    bind(CHEAP_SYNC_PASS)
      .toResolvedValue(
        (
          identityProvider: IdentityProvider,
          userDirectory: UserDirectory,
          syncUser: SyncUser,
          logger: Logger,
          accessCache: AccessCache,
          syncJournal?: SyncJournal,
        ) =>
          new CheapSyncPass({
            identityProvider,
            userDirectory,
            syncUser,
            logger,
            accessCache,
            syncJournal,
            config: config.sync ?? {},
          }),
        [IDENTITY_PROVIDER, USER_DIRECTORY, SYNC_USER, LOGGER, ACCESS_CACHE, OPTIONAL_DIGEST_STORE],
      )
      .inSingletonScope();
  });
}
