# Sourced by scripts that run a Go tool pinned in tools/<name> (go.mod + go.sum: checksums from the
# Go module proxy): go_tool <tools dir> <module> <package> <binary name> <version ldflag var>
# builds it once into the git-ignored .keycloak/tools/<binary>-<version>/ and prints its path.
go_tool() {
  local dir=$1 module=$2 package=$3 name=$4 version_var=$5
  local version binary
  version=$(awk -v m="$module" '$1 == "require" && $2 == m {print $3}' "$dir/go.mod")
  binary="$(pwd)/.keycloak/tools/$name-$version/$name"
  if [ ! -x "$binary" ]; then
    echo "$name: building $version with $(go version | cut -d' ' -f3) (once, a few minutes)" >&2
    mkdir -p "$(dirname "$binary")"
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X $version_var=$version" \
      -o "$binary" "$package")
  fi
  echo "$binary"
}
