#!/usr/bin/env bash
# Installs what the project needs and is missing: npm packages, the Keycloak distribution (built
# once per configuration), PostgreSQL where the int tests want it. Idempotent and cached.
set -euo pipefail
cd "$(dirname "$0")/.."
# turbo would print its telemetry notice in the middle of the output (and send telemetry) on a first run.
export TURBO_TELEMETRY_DISABLED=1

want_postgres=0
want_chromium=0
want_haproxy=0
want_python_rp=0
want_consumer_libs=0
want_promtool=0
for arg in "$@"; do
  case "$arg" in
    --with-postgres) want_postgres=1 ;;
    --with-chromium) want_chromium=1 ;;
    --with-haproxy) want_haproxy=1 ;;
    --with-python-rp) want_python_rp=1 ;;
    --with-consumer-libs) want_consumer_libs=1 ;;
    --with-promtool) want_promtool=1 ;;
  esac
done

# What this script cannot install (Node.js, git, a JDK, Maven until Keycloak is cached): named at once.
bash scripts/preflight.sh

# Debian's HAProxy: the load balancer in front of the two-node Keycloak cluster of the tests and
# the cluster benchmark (the tests start their own instance on loopback; no service is enabled).
if [ "$want_haproxy" = 1 ] && ! command -v haproxy > /dev/null 2>&1; then
  echo "setup: installing Debian's haproxy" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq haproxy > /dev/null
fi

# Debian's Chromium for the browser tests (playwright-core drives it; nothing is downloaded at run time).
if [ "$want_chromium" = 1 ] && ! command -v chromium > /dev/null 2>&1; then
  echo "setup: installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq chromium > /dev/null
fi

# The Python relying party of the sign-in tests (mozilla-django-oidc, Open Zaak's and Open Klant's
# library): a venv from PyPI under .cache/ (git-ignored), rebuilt only when its pins change.
if [ "$want_python_rp" = 1 ]; then
  rp_requirements=packages/test-support/django-rp/requirements.txt
  rp_venv=.cache/django-rp/venv
  rp_stamp="$(sha256sum "$rp_requirements" | cut -c1-16)"
  if [ "$(cat "$rp_venv/.requirements-stamp" 2> /dev/null)" != "$rp_stamp" ]; then
    echo "setup: building the Django relying party's venv (PyPI)" >&2
    rm -rf "$rp_venv"
    python3 -m venv "$rp_venv"
    "$rp_venv/bin/pip" install -q --disable-pip-version-check -r "$rp_requirements"
    echo "$rp_stamp" > "$rp_venv/.requirements-stamp"
  fi
fi

# The consumers' own token libraries the consumer-token tests run (issue 27): Spring Security's JWT
# decoder (Valtimo; Maven Central, Java 17) and the `openidconnect` crate (OpenTalk's controller;
# crates.io). Each is built under .cache/ (git-ignored) and rebuilt only when its sources change.
if [ "$want_consumer_libs" = 1 ]; then
  build_cached() { # <name> <source dir> <build command run in the cached copy>
    local name="$1" src="$2" cmd="$3" dir=".cache/$1"
    local stamp
    stamp="$(cd "$src" && find . -type f -not -path './target/*' | sort | xargs sha256sum | sha256sum | cut -c1-16)"
    if [ "$(cat "$dir/.source-stamp" 2> /dev/null)" != "$stamp" ]; then
      echo "setup: building $name" >&2
      mkdir -p "$dir"
      rm -rf "$dir/src"
      cp -r "$src"/. "$dir/"
      (cd "$dir" && eval "$cmd") >&2
      echo "$stamp" > "$dir/.source-stamp"
    fi
  }
  build_cached spring-jwt packages/test-support/spring-jwt 'mvn -q -B package -DskipTests'
  build_cached openidconnect-check packages/test-support/openidconnect-check 'cargo build -q --locked'
fi

# Prometheus's promtool (Debian's package, unpacked, never installed as a service): the test command
# checks and unit-tests the alert rules in docs/monitoring/ with it.
if [ "$want_promtool" = 1 ] && [ ! -x .cache/promtool/usr/bin/promtool ]; then
  echo "setup: unpacking promtool from Debian's prometheus package" >&2
  rm -rf .cache/promtool && mkdir -p .cache/promtool
  (cd .cache/promtool && apt-get download prometheus > /dev/null 2>&1 \
    || { apt-get update -qq > /dev/null && apt-get download prometheus > /dev/null; })
  dpkg-deb -x .cache/promtool/prometheus_*.deb .cache/promtool
  rm -f .cache/promtool/prometheus_*.deb
fi

# npm packages: reinstall only when the lock file changed since the last install.
stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

# The TypeScript build (turbo caches it).
npx turbo run build --output-logs=errors-only >&2

# The Keycloak distribution from Maven Central, verified, unpacked and built.
node packages/cli/dist/main.js keycloak install >&2

if [ "$want_postgres" = 1 ]; then
  bash scripts/postgres.sh >&2
fi
