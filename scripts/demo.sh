#!/usr/bin/env bash
# The embedded default: installs what is missing (npm packages, the Keycloak distribution, the
# build), then runs Keycloak + the ExApp + a sample Nextcloud and prints how to get a token.
set -euo pipefail
cd "$(dirname "$0")/.."
# turbo would print its telemetry notice in the middle of the output (and send telemetry) on a first run.
export TURBO_TELEMETRY_DISABLED=1
bash scripts/setup.sh
exec node packages/cli/dist/main.js demo "$@"
