#!/usr/bin/env bash
# Makes a local PostgreSQL server available for the int tests: installs Debian's package where it
# is missing, starts the cluster, and creates the test role (loopback only, test-only password).
set -euo pipefail

if ! command -v pg_lsclusters > /dev/null 2>&1; then
  echo "postgres: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq postgresql > /dev/null
fi

cluster=$(pg_lsclusters --no-header | head -n 1)
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_createcluster "$version" main > /dev/null
  cluster=$(pg_lsclusters --no-header | head -n 1)
fi
read -r version name port status _ <<< "$cluster"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$name" start
fi

role=${KEYCLOAK_TEST_PG_USER:-keycloak_exapp_test}
password=${KEYCLOAK_TEST_PG_PASSWORD:-keycloak_exapp_test}
runuser -u postgres -- psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" | grep -q 1 ||
  runuser -u postgres -- psql -p "$port" -qc "CREATE ROLE $role LOGIN CREATEDB PASSWORD '$password'"
echo "postgres: cluster $version/$name online on port $port" >&2
