export const PASSWORD_VAULT: unique symbol = Symbol.for('@keycloak-exapp/core.PasswordVault');
