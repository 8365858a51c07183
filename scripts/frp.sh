#!/usr/bin/env bash
# Builds HaRP's FRP client and server (github.com/fatedier/frp, the version HaRP ships, pinned with
# its checksums in tools/frp) through the Go module proxy, once, into the git-ignored
# .keycloak/tools/. The HaRP-mode tests run a real frps and the server's frpc. Prints the folder.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '/^require github.com\/fatedier\/frp /{print $3}' tools/frp/go.mod)
root=$(pwd)
out=".keycloak/tools/frp-$version"
if [ ! -x "$out/frpc" ] || [ ! -x "$out/frps" ]; then
  echo "frp: building frpc and frps $version with $(go version | cut -d' ' -f3)" >&2
  mkdir -p "$out"
  (cd tools/frp && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$root/$out/" \
    github.com/fatedier/frp/cmd/frpc github.com/fatedier/frp/cmd/frps)
fi
echo "$out"
