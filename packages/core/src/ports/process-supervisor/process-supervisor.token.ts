export const PROCESS_SUPERVISOR: unique symbol = Symbol.for('@keycloak-exapp/core.ProcessSupervisor');
