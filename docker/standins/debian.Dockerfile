# Stand-in for the official images' Debian: the minbase root filesystem scripts/image.sh imported,
# plus the machine's certificate authorities (so HTTPS from a build step reaches the package
# registries through this machine's network). Never used for a published image.
ARG ROOTFS
FROM ${ROOTFS}
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
