#!/usr/bin/env bash
# docker-smoke.sh — build the Dockerfile and prove the image works, with no Docker daemon
# and no registry: scripts/container-smoke.sh builds it with rootful podman on a
# debootstrapped Debian base, runs it with the defaults and
# checks /__admin/health and the image HEALTHCHECK; then, as its SMOKE_CMD, this script
#   1. runs scripts/smoke_container.py against that container (health JSON, one injected
#      error per vendor);
#   2. starts a second container configured only through MOCKSERVER_* variables (port,
#      seed, admin token) with a scenario folder mounted at /scenarios, and measures
#      the time from `podman run` to the first 2xx on /__admin/health;
#   3. checks it runs as non-root, its HEALTHCHECK, and that SIGTERM stops it cleanly
#      (exit status 0, well inside the stop timeout);
#   4. runs tests/distribution/test_containers.py (MockServerContainer, testcontainers-python)
#      against the image through podman's Docker-compatible socket, when the repository's
#      .venv has testcontainers (`make test` installs it); skipped with a note otherwise;
# and prints the image size (failing above MAX_IMAGE_MB, 150) and the time to healthy.
#
# Usage (as root; CI runs as root on a fresh machine): scripts/docker-smoke.sh
# Knobs: CONTAINER_SMOKE=path/to/container-smoke.sh, IMAGE=localhost/mockserver:smoke,
#        SMOKE_SCENARIOS=1 (scenario checks, once the engine exists), MAX_IMAGE_MB=150,
#        and every knob of
#        scripts/container-smoke.sh (REBUILD_BASE=1, STORAGE_DRIVER=vfs, HEALTH_TIMEOUT, ...).
set -euo pipefail

log() { printf '[docker-smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/.." && pwd))
export IMAGE=${IMAGE:-localhost/mockserver:smoke}

podman_cmd() {
  # the same store container-smoke.sh used (it exports CONTAINERS_CONF for runc + rlimits)
  if [ "${STORAGE_DRIVER:-overlay}" = vfs ]; then
    podman --storage-driver vfs --root /var/lib/containers/vfs --runroot /run/containers/vfs "$@"
  else
    podman "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --------------------------------------------------------------------------------------
# Inner part: container-smoke.sh runs this as SMOKE_CMD, with CONTAINER_URL pointing at
# the container it started from $IMAGE with the image defaults.
inner() {
  local smoke="$REPO/scripts/smoke_container.py"
  : "${CONTAINER_URL:?run by container-smoke.sh as SMOKE_CMD}"
  log "checks against the default container ($CONTAINER_URL)"
  python3 "$smoke" check --url "$CONTAINER_URL"

  # Second container: configured by environment only, scenario folder mounted read-only.
  local token=smoke-token cport=8181 hport scen cid="" t0 t_run healthy t_stop code uid
  hport=$(free_port)
  scen=$(mktemp -d)
  # shellcheck disable=SC2064  # expand now: the ids are fixed from here on
  trap "inner_cleanup '$scen'" EXIT
  python3 "$smoke" write-scenario "$scen"
  chmod 0755 "$scen" && chmod 0644 "$scen"/*  # readable by the image's non-root user
  log "second container: MOCKSERVER_PORT=$cport MOCKSERVER_SEED=7 MOCKSERVER_ADMIN_TOKEN=*** -v $scen:/scenarios:ro"
  t0=$(date +%s.%N)
  cid=$(podman_cmd run -d -p "127.0.0.1:$hport:$cport" \
          -e MOCKSERVER_PORT=$cport -e MOCKSERVER_SEED=7 -e MOCKSERVER_ADMIN_TOKEN=$token \
          -v "$scen:/scenarios:ro" "$IMAGE" 2>"$scen.err") || { cat "$scen.err" >&2; die "podman run failed"; }
  CID2=$cid
  t_run=$(python3 -c "import time; print(f'{time.time() - $t0:.2f}')")
  healthy=$(python3 "$smoke" wait --url "http://127.0.0.1:$hport" --since "$t0" \
              --admin-token "$token" --timeout "${HEALTH_TIMEOUT:-60}") ||
    { podman_cmd logs "$cid" 2>&1 | tail -30 >&2; die "second container never became healthy"; }
  log "podman run returned after ${t_run}s; /__admin/health 2xx after ${healthy}s"

  podman_cmd healthcheck run "$cid" 2>"$scen.err" ||
    { grep -v 'systemd connection' "$scen.err" >&2 || true; die "HEALTHCHECK failed with MOCKSERVER_PORT=$cport + admin token"; }
  log "HEALTHCHECK healthy (follows MOCKSERVER_PORT and MOCKSERVER_ADMIN_TOKEN)"
  python3 "$smoke" check --url "http://127.0.0.1:$hport" --admin-token "$token" --mounted-scenario

  uid=$(podman_cmd exec "$cid" id -u)
  [ "$uid" != 0 ] || die "container runs as root"
  # read the logs whole first: `grep -q` stops reading early and, under pipefail, the
  # SIGPIPE'd `podman logs` would fail the check although the banner is there
  local logs; logs=$(podman_cmd logs "$cid" 2>&1)
  grep -q "listening on http://0.0.0.0:$cport" <<<"$logs" ||
    { tail -20 <<<"$logs" >&2; die "no banner for 0.0.0.0:$cport in the logs"; }
  log "runs as uid $uid; banner names 0.0.0.0:$cport"

  # SIGTERM must reach the server (entrypoint execs it): a clean stop exits 0 at once;
  # a lost signal would mean waiting out -t 10 and a SIGKILL (exit 137).
  local s0; s0=$(date +%s.%N)
  podman_cmd stop -t 10 "$cid" >/dev/null 2>"$scen.err" || { cat "$scen.err" >&2; die "podman stop failed"; }
  t_stop=$(python3 -c "import time; print(f'{time.time() - $s0:.2f}')")
  code=$(podman_cmd inspect -f '{{.State.ExitCode}}' "$cid")
  [ "$code" = 0 ] || die "exit status $code after SIGTERM (want 0)"
  log "SIGTERM: stopped in ${t_stop}s, exit status 0"

  testcontainers_check

  local size
  size=$(podman_cmd image inspect -f '{{.Size}}' "$IMAGE")
  {
    echo "image:            $IMAGE"
    echo "image size:       $(awk -v b="$size" 'BEGIN {printf "%.1f MB (%d bytes, uncompressed)", b / 1e6, b}')"
    echo "time to healthy:  ${healthy}s from 'podman run' to the first 2xx on /__admin/health (podman run itself: ${t_run}s)"
    echo "stop on SIGTERM:  ${t_stop}s, exit status 0"
  } >"${SUMMARY_FILE:-/dev/stderr}"
  [ "$size" -le $((${MAX_IMAGE_MB:-150} * 1000000)) ] ||
    die "the image is $((size / 1000000)) MB, over MAX_IMAGE_MB=${MAX_IMAGE_MB:-150}"
}

# MockServerContainer against this image, through a podman API socket of our own.
testcontainers_check() {
  local py="$REPO/.venv/bin/python" sock svc
  if ! "$py" -c 'import testcontainers' 2>/dev/null; then
    log "testcontainers check skipped: no $py with testcontainers (make test installs it)"
    return
  fi
  sock=$(mktemp -u "${TMPDIR:-/tmp}/mockserver-podman.XXXXXX.sock")
  if [ "${STORAGE_DRIVER:-overlay}" = vfs ]; then
    podman --storage-driver vfs --root /var/lib/containers/vfs --runroot /run/containers/vfs \
      system service --time=0 "unix://$sock" >/dev/null 2>&1 &
  else
    podman system service --time=0 "unix://$sock" >/dev/null 2>&1 &
  fi
  svc=$!
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  log "testcontainers: tests/distribution/test_containers.py against $IMAGE (unix://$sock)"
  (cd "$REPO" && DOCKER_HOST="unix://$sock" MOCKSERVER_IMAGE="$IMAGE" MOCKSERVER_REQUIRE_CONTAINERS=1 \
     "$py" -m pytest -q -p no:cacheprovider -p no:xdist tests/distribution/test_containers.py) >&2 ||
    { kill "$svc" 2>/dev/null; rm -f "$sock"; die "MockServerContainer failed against $IMAGE"; }
  kill "$svc" 2>/dev/null || true
  wait "$svc" 2>/dev/null || true
  rm -f "$sock"
}

inner_cleanup() {
  if [ -n "${CID2:-}" ]; then
    podman_cmd rm -f "$CID2" >/dev/null 2>&1 || true
  fi
  rm -rf "$1" "$1.err"
}

if [ "${1:-}" = --inner ]; then
  inner
  exit 0
fi

# --------------------------------------------------------------------------------------
# Outer part: tools, then container-smoke.sh with this script as its SMOKE_CMD.
[ "$(id -u)" = 0 ] || die "run as root (rootful podman; CI runs as root)"
CONTAINER_SMOKE=${CONTAINER_SMOKE:-$HERE/container-smoke.sh}
[ -f "$CONTAINER_SMOKE" ] || die "no $CONTAINER_SMOKE"

need=()
for tool in podman runc debootstrap curl python3; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (apt-get update once, then install; podman's recommends included)"
  export DEBIAN_FRONTEND=noninteractive
  apt_log=$(mktemp)
  { apt-get update && apt-get install -y "${need[@]}"; } >"$apt_log" 2>&1 ||
    { tail -20 "$apt_log" >&2; die "apt-get failed (log: $apt_log)"; }
  rm -f "$apt_log"
fi

SUMMARY_FILE=$(mktemp)
trap 'rm -f "$SUMMARY_FILE"' EXIT
export SUMMARY_FILE
export HEALTH_PATH=/__admin/health
export KEEP_IMAGE=${KEEP_IMAGE:-1}
export SMOKE_CMD="bash '$HERE/docker-smoke.sh' --inner"
bash "$CONTAINER_SMOKE" "$REPO"
log "summary"
cat "$SUMMARY_FILE" >&2
