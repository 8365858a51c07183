// "@keycloak-exapp/core/testing": fakes and contract suites. Never imported by production code.
export {
  InMemoryIdentityProvider,
  type IdentityProviderOperation,
} from '../ports/identity-provider/identity-provider.fake.js';
export {
  contractRealmSpec,
  describeIdentityProviderContract,
  type IdentityProviderHarness,
} from '../ports/identity-provider/identity-provider.contract.js';
export { InMemoryUserDirectory } from '../ports/user-directory/user-directory.fake.js';
export {
  describeUserDirectoryContract,
  type UserDirectoryHarness,
} from '../ports/user-directory/user-directory.contract.js';
export { FakeProcessSupervisor } from '../ports/process-supervisor/process-supervisor.fake.js';
export {
  describeProcessSupervisorContract,
  type ProcessSupervisorHarness,
} from '../ports/process-supervisor/process-supervisor.contract.js';
export { InMemoryPasswordVault } from '../ports/password-vault/in-memory-password-vault.js';
export {
  describePasswordVaultContract,
  type PasswordVaultCaps,
} from '../ports/password-vault/password-vault.contract.js';
export { InMemorySyncJournal } from '../ports/sync-journal/sync-journal.fake.js';
export {
  describeSyncJournalContract,
  type SyncJournalHarness,
} from '../ports/sync-journal/sync-journal.contract.js';
export { ManualClock } from '../ports/clock/clock.fake.js';
export { CapturingLogger, type LogEntry } from '../ports/logger/logger.fake.js';
