#!/usr/bin/env bash
# Every test: build, lint, typecheck, the unit tests and the tests against real Keycloak
# (embedded dev-file database and PostgreSQL) and the fake Nextcloud; then the Keycloak contract
# suite, Sign in with Nextcloud (external mode, mozilla-django-oidc) and the consumers' tokens
# (their own libraries, back-channel logout, token exchange) once more on 26.5.x, the version the
# original ExApp ships (Java 17 or 21).
set -euo pipefail
cd "$(dirname "$0")/.."
# turbo would print its telemetry notice in the middle of the output (and send telemetry) on a first run.
export TURBO_TELEMETRY_DISABLED=1
bash scripts/setup.sh --with-postgres --with-chromium --with-haproxy --with-python-rp --with-consumer-libs --with-promtool
node scripts/check-repo-paths.mjs # a clone has nothing beside it: no file may read outside the repository
node scripts/check-dependencies.mjs # every declared dependency is imported (or a peer one needs), every import declared
node scripts/check-version.mjs # the version in one place: info.xml, the packages, the compose file and the CHANGELOG follow it
npx depcruise packages/*/src examples bench --config .dependency-cruiser.cjs # the layer rules (.dependency-cruiser.cjs)
npx turbo run lint typecheck --output-logs=errors-only
# The public API of every library, as checked-in reports (packages/*/etc): a change shows in review.
npx turbo run api:check --output-logs=errors-only
npx tsc -p bench && npx eslint bench # the benchmark is not a package; keep it compiling
# The image Nextcloud installs, built from docker/Dockerfile on local stand-ins of its base images
# (starts Debian's Docker engine where needed); the container tests run it through testcontainers.
bash scripts/image.sh > /dev/null
bash scripts/compose.sh version > /dev/null # Docker Compose for compose.int.test.ts, built once from tools/compose
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
npx vitest run
KEYCLOAK_VERSION="${KEYCLOAK_COMPAT_VERSION:-26.5.6}" KEYCLOAK_TEST_DATABASES=dev-file \
  npx vitest run --project int packages/adapter-keycloak/test/keycloak.contract.int.test.ts \
  packages/http-koa/test/sign-in.external.int.test.ts packages/http-koa/test/consumer-tokens.int.test.ts
