#!/usr/bin/env bash
# Compares this tree's server with another revision's in one bench run (bench/compare.ts):
#   bash scripts/bench-compare.sh <rev> [--rounds 3 --users 1000 --seconds 8 --concurrency 32]
# The other revision is cloned into .bench-builds/<commit> (git-ignored), its npm packages
# installed and built once, sharing this tree's Keycloak distribution cache; later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:?usage: scripts/bench-compare.sh <rev> [bench options]}"
shift
commit="$(git rev-parse --verify "$rev^{commit}")"
dir=".bench-builds/$commit"
if [ ! -f "$dir/.built" ]; then
  rm -rf "$dir"
  mkdir -p .bench-builds
  git clone -q . "$dir"
  git -C "$dir" checkout -q "$commit"
  mkdir -p .keycloak
  ln -s "$PWD/.keycloak" "$dir/.keycloak"
  (cd "$dir" && npm ci --no-audit --no-fund > /dev/null && TURBO_TELEMETRY_DISABLED=1 npx turbo run build --output-logs=errors-only > /dev/null)
  touch "$dir/.built"
fi
bash scripts/setup.sh > /dev/null
exec npx tsx bench/run.ts --compare "$dir" "$@"
