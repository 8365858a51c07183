export {
  createExAppContainer,
  resolveUseCases,
  type ExAppUseCases,
  type ExAppBindings,
  type ExAppContainer,
  type ExAppGraphSettings,
} from './container.js';
export { loadEnv, envSchema, type ServerEnv } from './env.js';
export { EnvError, parseSettings, shownValue, type SettingProblem } from './settings/settings-error.js';
export { appApiSettingsSchema, appApiSettingsForToolsSchema } from './settings/app-api.settings.js';
export { keycloakSettingsSchema } from './settings/keycloak.settings.js';
export { syncSettingsSchema } from './settings/sync.settings.js';
export {
  tokenApiSettingsSchema,
  consumerListSchema,
  type ConsumerSpec,
} from './settings/token-api.settings.js';
export {
  appApiConnection,
  sharedGraphSettings,
  type SharedGraphSettings,
} from './settings/graph-settings.js';
export {
  ConsumerRegistry,
  PUBLIC_DEFAULT_SECRETS,
  buildConsumers,
  type Consumer,
  type ConsumerGrant,
  type ConsumerSettings,
  type Operation,
} from './consumers.js';
export {
  connectKeycloak,
  EMBEDDED_ADMIN_CLIENT_ID,
  KEYCLOAK_CONSOLE_ADMIN,
  KEYCLOAK_RUNTIME_FILE,
  RUNTIME_CLIENT_ID,
  runtimeAccountOnVolume,
  type KeycloakParts,
} from './keycloak-connection.js';
export {
  exAppPublicBase,
  keycloakPublicBase,
  nextcloudBase,
  type KeycloakPublicBase,
  type PublicBaseSettings,
} from './public-base.js';
export {
  SIGN_IN_CLIENT_ID,
  SIGN_IN_PATH,
  signInWiring,
  withSignInEndpoints,
  type SignInSettings,
  type SignInWiring,
} from './sign-in.js';
export { createLogger } from './logger.js';
export {
  loadOrCreateSecrets,
  saveSecrets,
  newSecret,
  SECRETS_FILE,
  type PersistentSecrets,
} from './files/persistent-secrets.js';
export { SecretsFilePasswordVault } from './files/password-key-file.js';
export { FileSyncJournal } from './files/sync-journal-file.js';
