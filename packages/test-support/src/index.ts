export * from './keycloak-test-server.js';
export * from './keycloak-cluster.js';
export * from './haproxy.js';
export * from './realm-admin.js';
export * from './admin-events.js';
export * from './django-rp.js';
export * from './info-xml-routes.js';
