export const IDENTITY_PROVIDER: unique symbol = Symbol.for('@keycloak-exapp/core.IdentityProvider');
