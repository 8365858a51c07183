#!/bin/sh
# Keycloak's own role and databases on the shared PostgreSQL (one per ExApp service in compose.yml:
# two Keycloaks must never share one); the password comes from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v pw="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE keycloak LOGIN PASSWORD :'pw';
CREATE DATABASE keycloak OWNER keycloak;
CREATE DATABASE keycloak_commonground OWNER keycloak;
SQL
