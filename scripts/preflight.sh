#!/usr/bin/env bash
# What scripts/setup.sh cannot install itself, checked before it starts: Node.js 20 or newer, git, a
# JDK that Keycloak runs on, and Maven while the Keycloak distribution is not yet in the cache. Stops
# at once with every missing piece named and how to get it on Debian or Ubuntu (exit 1).
#   KEYCLOAK_VERSION: the distribution to check for (default: the one the packages pin)
#   KEYCLOAK_JAVA_HOME, JAVA_HOME: a JDK to use; otherwise one under ${KEYCLOAK_EXAPP_JVM_DIR:-/usr/lib/jvm}
set -uo pipefail
cd "$(dirname "$0")/.."
version=${KEYCLOAK_VERSION:-$(sed -n "s/^export const DEFAULT_KEYCLOAK_VERSION = '\(.*\)';/\1/p" \
  packages/adapter-keycloak/src/distribution/keycloak-distribution.ts)}
cache=${KEYCLOAK_CACHE_DIR:-.keycloak}
jvm_dir=${KEYCLOAK_EXAPP_JVM_DIR:-/usr/lib/jvm}
missing=()

node_major=$(node -p 'process.versions.node.split(".")[0]' 2> /dev/null || echo 0)
[ "$node_major" -ge 20 ] || missing+=("Node.js 20 or newer (found: $(node --version 2> /dev/null || echo none)): https://nodejs.org or 'sudo apt-get install nodejs npm'")
command -v npm > /dev/null 2>&1 || missing+=("npm: 'sudo apt-get install npm'")
command -v git > /dev/null 2>&1 || missing+=("git: 'sudo apt-get install git'")

# Keycloak 26.6+ runs on Java 25, 21 or 17; 26.5 on 21 or 17 (as packages/adapter-keycloak/src/distribution/java.ts).
IFS=. read -r kc_major kc_minor _ <<< "$version"
if [ "$kc_major" -gt 26 ] || { [ "$kc_major" -eq 26 ] && [ "$kc_minor" -ge 6 ]; }; then majors="25 21 17"; else majors="21 17"; fi
java_major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2> /dev/null; }
jdk=""
if [ -n "${KEYCLOAK_JAVA_HOME:-}" ]; then
  [ -x "$KEYCLOAK_JAVA_HOME/bin/java" ] && jdk=$KEYCLOAK_JAVA_HOME ||
    missing+=("a JDK at KEYCLOAK_JAVA_HOME=$KEYCLOAK_JAVA_HOME (it has no bin/java)")
else
  for home in ${JAVA_HOME:-} "$jvm_dir"/*; do
    [ -x "$home/bin/java" ] || continue
    for m in $majors; do [ "$(java_major "$home")" = "$m" ] && { jdk=$home; break 2; }; done
  done
  [ -n "$jdk" ] || missing+=("a JDK for Keycloak $version (Java ${majors// / or }; none in JAVA_HOME or $jvm_dir): 'sudo apt-get install openjdk-21-jdk-headless', or set KEYCLOAK_JAVA_HOME")
fi

if [ ! -f "$cache/downloads/keycloak-quarkus-dist-$version.tar.gz.verified" ] && ! command -v mvn > /dev/null 2>&1; then
  missing+=("Maven, to fetch keycloak-quarkus-dist $version from Maven Central once (not cached in $cache/downloads yet): 'sudo apt-get install maven'")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "keycloak-exapp: missing on this machine (install, then run the command again):" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
