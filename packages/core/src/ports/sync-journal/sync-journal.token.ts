export const SYNC_JOURNAL: unique symbol = Symbol.for('@keycloak-exapp/core.SyncJournal');
