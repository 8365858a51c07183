#!/usr/bin/env bash
# The embedded default: installs what is missing (npm packages, the Keycloak distribution, the
# build), then runs Keycloak + the ExApp + a sample Nextcloud and prints how to get a token.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/cli/dist/main.js demo "$@"
