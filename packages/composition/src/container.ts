import { Container } from 'inversify';
import type { TypedContainer } from '@inversifyjs/strongly-typed';
import {
  CLOCK,
  DerivedPasswordVault,
  IDENTITY_PROVIDER,
  LOGGER,
  SYNC_JOURNAL,
  PASSWORD_VAULT,
  USER_DIRECTORY,
  systemClock,
  type Clock,
  type BootstrapRealm,
  type DeleteUser,
  type IdentityProvider,
  type IssueToken,
  type Logger,
  type PasswordVault,
  type RealmSpec,
  type Secret,
  type SyncAllUsers,
  type SyncConfig,
  type SyncJournal,
  type SyncUser,
  type TokenConfigInput,
  type UserDirectory,
} from '@keycloak-exapp/core';
import {
  BOOTSTRAP_REALM,
  DELETE_USER,
  ISSUE_TOKEN,
  SYNC_ALL_USERS,
  SYNC_USER,
  coreModule,
  type CoreBindings,
} from '@keycloak-exapp/core/wiring';
import {
  keycloakModule,
  type KeycloakBindings,
  type KeycloakModuleConfig,
} from '@keycloak-exapp/adapter-keycloak/wiring';
import {
  nextcloudModule,
  type NextcloudBindings,
  type NextcloudModuleConfig,
} from '@keycloak-exapp/adapter-nextcloud/wiring';

/** Every binding of the ExApp's graph: the key of its typed container. */
export type ExAppBindings = CoreBindings & KeycloakBindings & NextcloudBindings;
export type ExAppContainer = TypedContainer<ExAppBindings>;

export interface ExAppGraphSettings {
  readonly logger: Logger;
  readonly clock?: Clock | undefined;
  /** The password derivation key (on the volume); the vault is made from it on first use. */
  readonly passwordKey: Secret;
  /** Another vault than one fixed key (the server's follows the secrets file). */
  readonly passwordVault?: (() => Promise<PasswordVault>) | undefined;
  readonly realmSpec: RealmSpec;
  /** Keycloak through its admin API, or another identity provider (a fake in tests). */
  readonly keycloak: KeycloakModuleConfig | { readonly identityProvider: () => IdentityProvider };
  /** Nextcloud (OCS through AppAPI or an app password), or another directory such as a users file. */
  readonly users: { readonly nextcloud: NextcloudModuleConfig } | { readonly directory: () => UserDirectory };
  readonly sync?: Partial<SyncConfig> | undefined;
  /** Where the sync digest is kept (the server: a file on the volume); without one, every pass reads Keycloak. */
  readonly syncJournal?: (() => SyncJournal) | undefined;
  readonly token: TokenConfigInput;
}

/**
 * The composition root of keycloak-exapp: ports, adapters and use cases, bound once by factory, for
 * the server, the CLI and services that embed the core. What must be shared is shared by
 * construction: every use case gets the container's one AccessCache (a user that sync disables
 * loses cached tokens at once) and the one identity provider, whose grant limiter is therefore
 * common to every caller. Resolve with `getAsync` (the password vault derives its key once,
 * asynchronously).
 */
export function createExAppContainer(settings: ExAppGraphSettings): ExAppContainer {
  const container = new Container() as unknown as ExAppContainer;
  const { keycloak } = settings;
  container.bind(LOGGER).toConstantValue(settings.logger);
  container.bind(CLOCK).toConstantValue(settings.clock ?? systemClock);
  container
    .bind(PASSWORD_VAULT)
    .toResolvedValue(settings.passwordVault ?? (() => DerivedPasswordVault.fromKey(settings.passwordKey)))
    .inSingletonScope();
  container.load(
    coreModule({
      realmSpec: settings.realmSpec,
      sync: settings.sync ?? {},
      token: settings.token,
    }),
  );
  if ('connection' in keycloak) container.load(keycloakModule(keycloak));
  else container.bind(IDENTITY_PROVIDER).toResolvedValue(keycloak.identityProvider).inSingletonScope();
  const { users } = settings;
  if ('nextcloud' in users) container.load(nextcloudModule(users.nextcloud));
  else container.bind(USER_DIRECTORY).toResolvedValue(users.directory).inSingletonScope();
  if (settings.syncJournal)
    container.bind(SYNC_JOURNAL).toResolvedValue(settings.syncJournal).inSingletonScope();
  return container;
}

/** The use cases and ports a caller of the graph works with (one instance each, shared). */
export interface ExAppUseCases {
  /** Creates or reconciles the realm and its clients (what `/init` runs first). */
  readonly bootstrapRealm: BootstrapRealm;
  readonly identityProvider: IdentityProvider;
  readonly userDirectory: UserDirectory;
  readonly issueToken: IssueToken;
  readonly syncUser: SyncUser;
  readonly syncAllUsers: SyncAllUsers;
  readonly deleteUser: DeleteUser;
}

export async function resolveUseCases(container: ExAppContainer): Promise<ExAppUseCases> {
  return {
    bootstrapRealm: await container.getAsync(BOOTSTRAP_REALM),
    identityProvider: await container.getAsync(IDENTITY_PROVIDER),
    userDirectory: await container.getAsync(USER_DIRECTORY),
    issueToken: await container.getAsync(ISSUE_TOKEN),
    syncUser: await container.getAsync(SYNC_USER),
    syncAllUsers: await container.getAsync(SYNC_ALL_USERS),
    deleteUser: await container.getAsync(DELETE_USER),
  };
}
