#!/usr/bin/env bash
# Every test: build, lint, typecheck, the unit tests and the tests against real Keycloak
# (embedded dev-file database and PostgreSQL) and the fake Nextcloud.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-postgres
npx turbo run lint typecheck --output-logs=errors-only
npx vitest run
