# Stand-in for postgres:17 (docker/compose.yml's database): Debian's PostgreSQL 15 from Debian's
# mirror, with an entry point of our own that follows the official image's documented contract
# (POSTGRES_USER/PASSWORD/DB, PGDATA, /docker-entrypoint-initdb.d/*.sh and *.sql on first start,
# password authentication over TCP). Never used for a published image.
ARG DEBIAN
FROM ${DEBIAN}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 gosu > /dev/null \
 && rm -rf /var/lib/apt/lists/* /var/lib/postgresql/15 \
 && mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data \
 && chown postgres:postgres /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
