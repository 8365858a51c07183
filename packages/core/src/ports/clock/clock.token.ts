export const CLOCK: unique symbol = Symbol.for('@keycloak-exapp/core.Clock');
