#!/usr/bin/env bash
# The image's software bill of materials: builds Anchore's syft (pinned with its checksums in
# tools/sbom) through the Go module proxy, once, into the git-ignored .keycloak/tools/, and scans the
# image scripts/image.sh built into a CycloneDX JSON document. Prints the document's path.
#   bash scripts/sbom.sh                                   # keycloak-exapp:test -> .keycloak/sbom/
#   IMAGE=keycloak-exapp:1.2.3 SBOM=sbom.cdx.json bash scripts/sbom.sh
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-keycloak-exapp:test}
# shellcheck source=scripts/go-tool.sh
. scripts/go-tool.sh
syft=$(go_tool tools/sbom github.com/anchore/syft github.com/anchore/syft/cmd/syft syft main.version)
out=${SBOM:-.keycloak/sbom/$(echo "$IMAGE" | tr '/:' '__').cdx.json}
mkdir -p "$(dirname "$out")"
# No update check (nothing may reach the internet at run time); the image from the local engine.
SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan "docker:$IMAGE" --quiet -o "cyclonedx-json=$out"
echo "$out"
