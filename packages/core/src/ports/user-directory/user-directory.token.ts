export const USER_DIRECTORY: unique symbol = Symbol.for('@keycloak-exapp/core.UserDirectory');
