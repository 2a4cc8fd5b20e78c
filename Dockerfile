# mockserver as a CI service container.
#   docker build -t mockserver .
#   docker run --rm -p 8080:8080 -v "$PWD/scenarios:/scenarios:ro" mockserver
# Recipes (GitHub Actions, GitLab CI, compose, Testcontainers): docs/ci.md.
#
# BASE must be a Debian-family image with python3 >= 3.11 (python:3.12-slim, or plain
# Debian bookworm with python3); the build and rootfs stages both start from it, so the
# venv's interpreter symlinks stay valid when the venv is copied across. The final image
# is that rootfs, trimmed, as one layer (about 138 MB on Debian bookworm: docs/ci.md).
ARG BASE=python:3.12-slim

# ---------------------------------------------------------------- build stage
FROM ${BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
# python:*-slim has venv and pip built in; Debian's python3 needs the python3-venv package
# (build stage only: the final stage never runs pip).
RUN python3 -m venv /opt/venv 2>/dev/null || { \
      rm -rf /opt/venv \
      && apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv \
      && rm -rf /var/lib/apt/lists/* \
      && python3 -m venv /opt/venv; }
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes.
# The `fast` extra (uvloop) too: a service container is where throughput matters.
COPY pyproject.toml ./
RUN python3 -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"] + p["optional-dependencies"]["fast"]))' >/tmp/requirements.txt \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY README.md ./
COPY catalog ./catalog
COPY scenarios ./scenarios
COPY schemas ./schemas
COPY mockserver ./mockserver
# The wheel carries the catalog, the scenario library and the schemas (pyproject
# force-includes them under mockserver/_data/).
RUN /opt/venv/bin/pip install --no-compile . \
    && /opt/venv/bin/mockserver --version
# Debug symbols out of the compiled extensions (uvloop's alone: 13.6 MB -> 1.6 MB). Not the
# ones auditwheel patched (an RPATH/RUNPATH, or a *.libs folder): strip can break those.
RUN command -v strip >/dev/null || { \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends binutils \
      && rm -rf /var/lib/apt/lists/*; } \
    && find /opt/venv -name '*.so' ! -path '*.libs/*' | while read -r so; do \
         readelf -d "$so" | grep -qE 'R(UN)?PATH' || strip --strip-unneeded "$so"; \
       done \
    && /opt/venv/bin/python -c 'import aiohttp, uvloop, yaml, re2, pydantic_core, hiredis, mockserver.cli'

# ---------------------------------------------------------------- rootfs stage
# The base plus the venv, trimmed by scripts/docker-slim.sh (runtime user, warm catalog
# cache, no pip/setuptools/ensurepip, docs, translations, tests or unused Faker locales;
# every module precompiled). The final stage copies this tree as one layer: deleting in a
# layer of its own would not make the image any smaller.
FROM ${BASE} AS rootfs
COPY --from=build /opt/venv /opt/venv
COPY scripts/docker-slim.sh /tmp/docker-slim.sh
RUN sh /tmp/docker-slim.sh
COPY scripts/docker-entrypoint.sh /usr/local/bin/mockserver-entrypoint
RUN chmod 0755 /usr/local/bin/mockserver-entrypoint

# ---------------------------------------------------------------- final stage
FROM scratch
LABEL org.opencontainers.image.title="mockserver" \
      org.opencontainers.image.description="Mock vendor API server for telecom/CPaaS integrators: every published error, in each vendor's exact envelope."
COPY --from=rootfs / /
# The server reads every MOCKSERVER_* variable itself (`mockserver serve --help`, or the
# table in docs/operations.md); the image sets only where it listens and what it loads.
# FROM scratch keeps none of the base's ENV: PATH and LANG are set again here.
# The parsed catalog is cached by content hash (mockserver/catalog/cache.py); docker-slim.sh
# warmed it, which saves ~0.25 s on every container start. The runtime user only reads it.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    XDG_CACHE_HOME=/opt/mockserver-cache \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_SCENARIOS=/scenarios
USER 10001:10001
EXPOSE 8080
# Docker before 25 has no --start-interval, so a short interval keeps "healthy" (what CI
# service containers wait for) close to the real start-up time.
HEALTHCHECK --interval=2s --timeout=3s --start-period=10s --retries=3 \
    CMD ["mockserver-entrypoint", "healthcheck"]
ENTRYPOINT ["mockserver-entrypoint"]
CMD []
