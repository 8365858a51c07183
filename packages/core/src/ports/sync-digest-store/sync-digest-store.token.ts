export const SYNC_DIGEST_STORE: unique symbol = Symbol.for('@keycloak-exapp/core.SyncDigestStore');
