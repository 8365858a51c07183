# Stand-in for golang:1.26-bookworm: Debian + this machine's Go toolchain at the official image's path.
ARG DEBIAN
FROM ${DEBIAN}
COPY go /usr/local/go
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH GOTOOLCHAIN=local
RUN go version
