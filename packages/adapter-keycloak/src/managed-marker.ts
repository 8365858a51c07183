/** Objects this project created carry this attribute; only those are ever updated. */
export const MANAGED_MARKER = 'keycloak_exapp_managed';
