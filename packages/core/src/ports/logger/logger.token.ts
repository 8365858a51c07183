export const LOGGER: unique symbol = Symbol.for('@keycloak-exapp/core.Logger');
