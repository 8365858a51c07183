#!/usr/bin/env bash
# Runs docker/compose.yml on this machine's Docker engine: builds Docker Compose (pinned with its
# checksums in tools/compose; Debian's docker.io has none) through the Go module proxy, once, into the
# git-ignored .keycloak/tools/, and passes its arguments on. No registry is reachable here, so unless
# the caller says otherwise the database is the local postgres stand-in and the ExApp is the image
# scripts/image.sh built (run it first).
#   bash scripts/compose.sh config
#   POSTGRES_PASSWORD=… KEYCLOAK_DB_PASSWORD=… … bash scripts/compose.sh -p demo up -d
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/go-tool.sh
. scripts/go-tool.sh
compose=$(go_tool tools/compose github.com/docker/compose/v5 github.com/docker/compose/v5/cmd \
  docker-compose github.com/docker/compose/v5/internal.Version)
if [ -z "${POSTGRES_IMAGE:-}" ]; then
  [ -f .keycloak/standins/tags.env ] || { echo "compose: run scripts/image.sh first (it makes the postgres stand-in)" >&2; exit 1; }
  POSTGRES_IMAGE=$(sed -n 's/^POSTGRES_STANDIN=//p' .keycloak/standins/tags.env)
fi
export POSTGRES_IMAGE KEYCLOAK_EXAPP_IMAGE=${KEYCLOAK_EXAPP_IMAGE:-keycloak-exapp:test}
exec "$compose" -f docker/compose.yml "$@"
