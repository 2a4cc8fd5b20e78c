# mockserver as a CI service container.
#   docker build -t mockserver .
#   docker run --rm -p 8080:8080 -v "$PWD/scenarios:/scenarios:ro" mockserver
# Recipes (GitHub Actions, GitLab CI, compose, Testcontainers): docs/ci.md.
#
# BASE must be a Debian-family image with python3 >= 3.11 (python:3.12-slim, or plain
# Debian bookworm with python3); both stages use it, so the venv's interpreter symlinks
# stay valid when the venv is copied into the final stage.
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
COPY mockserver ./mockserver
# The wheel carries the catalog (pyproject force-includes it as mockserver/_data/catalog).
RUN /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall -y -q pip setuptools \
    && /opt/venv/bin/mockserver --version

# ---------------------------------------------------------------- final stage
FROM ${BASE}
LABEL org.opencontainers.image.title="mockserver" \
      org.opencontainers.image.description="Mock vendor API server for telecom/CPaaS integrators: every published error, in each vendor's exact envelope."
# The server reads every MOCKSERVER_* variable itself (`mockserver serve --help`, or the
# table in docs/operations.md); the image sets only where it listens and what it loads.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MOCKSERVER_HOST=0.0.0.0 \
    MOCKSERVER_PORT=8080 \
    MOCKSERVER_SCENARIOS=/scenarios
RUN groupadd --system --gid 10001 mockserver \
    && useradd --system --uid 10001 --gid mockserver --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin mockserver \
    && mkdir -p /scenarios
COPY --from=build /opt/venv /opt/venv
# The parsed catalog is cached by content hash (mockserver/catalog/cache.py); warming it at
# build time saves ~0.25 s on every container start. The runtime user only reads it.
ENV XDG_CACHE_HOME=/opt/mockserver-cache
RUN mkdir -p /opt/mockserver-cache \
    && mockserver catalog list --vendor yeastar > /dev/null \
    && chmod -R a+rX /opt/mockserver-cache
COPY scripts/docker-entrypoint.sh /usr/local/bin/mockserver-entrypoint
RUN chmod 0755 /usr/local/bin/mockserver-entrypoint
USER 10001:10001
EXPOSE 8080
# Docker before 25 has no --start-interval, so a short interval keeps "healthy" (what CI
# service containers wait for) close to the real start-up time.
HEALTHCHECK --interval=2s --timeout=3s --start-period=10s --retries=3 \
    CMD ["mockserver-entrypoint", "healthcheck"]
ENTRYPOINT ["mockserver-entrypoint"]
CMD []
