export {
  KeycloakIdentityProvider,
  type KeycloakIdentityProviderOptions,
} from './keycloak-identity-provider.js';
export { KeycloakHttp, type KeycloakAdminCredentials, type KeycloakConnection } from './keycloak.http.js';
export { wantedUserProfile } from './keycloak-realm.js';
export { MANAGED_MARKER } from './managed-marker.js';
export { MANAGED_GROUP_ATTRIBUTE } from './keycloak-groups.js';
export { translateKeycloakError } from './keycloak.errors.js';
export {
  KeycloakProcessSupervisor,
  keycloakEnvironment,
  type KeycloakProcessOptions,
} from './process/keycloak-process-supervisor.js';
export { freePort } from './process/free-port.js';
export { forwardKeycloakLogLine } from './process/keycloak-log.js';
export {
  DEFAULT_KEYCLOAK_VERSION,
  createInstanceHome,
  installKeycloak,
  type InstallKeycloakOptions,
  type InstalledKeycloak,
  type KeycloakBuildOptions,
  type KeycloakDatabase,
} from './distribution/keycloak-distribution.js';
export { findJavaHome, supportedJavaMajors } from './distribution/java.js';
export { loadRealmFile, realmFileSchema, DEFAULT_REALM_FILE } from './realm/realm-file.js';
export { signInNames } from './keycloak-sign-in.js';
export {
  createLocalKeycloak,
  type LocalKeycloakDatabase,
  type LocalKeycloakOptions,
} from './local-keycloak.js';
export {
  EXAPP_REALM_ROLES,
  checkAdminRoles,
  grantServiceAccount,
  realmManagementClientId,
  type AdminRoleCheck,
  type ServiceAccountGrant,
} from './service-account.js';
export {
  REALM_MANAGEMENT_CLIENT,
  RUNTIME_REALM_ROLES,
  ensureRuntimeAccount,
  runtimeAccountRoles,
  type RuntimeAccount,
} from './runtime-account.js';
