#!/usr/bin/env bash
# container-smoke.sh — the project's own image builder and first check, for machines with
# no Docker daemon and no registry (only the Debian archive and PyPI): rootful podman
# with runc, a Debian base made by debootstrap (cached as $BASE_IMAGE), the Dockerfile
# built with BASE=$BASE_IMAGE, the container started, /__admin/health polled, the image
# HEALTHCHECK run once, then $SMOKE_CMD run with CONTAINER_URL set. scripts/docker-smoke.sh
# drives it; nothing outside this repository is needed.
#
# Usage (root): scripts/container-smoke.sh REPO_DIR
# Knobs: IMAGE, BASE_IMAGE (localhost/pybase:bookworm), SUITE (bookworm), MIRROR (from the
#        apt sources), REBUILD_BASE=1, STORAGE_DRIVER=overlay|vfs, HEALTH_PATH,
#        HEALTH_TIMEOUT (60), KEEP_IMAGE (1), SMOKE_CMD, WORK (scratch directory).
set -euo pipefail

say() { printf '[container-smoke %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
# without systemd, podman's healthcheck timers complain on stderr; everything else shows
shown() { grep -v 'unable to get systemd connection' "$1" >&2 || true; }

[ $# = 1 ] || fail "usage: $0 REPO_DIR"
CTX=$(cd "$1" && pwd)
[ -f "$CTX/Dockerfile" ] || fail "no Dockerfile in $CTX"
[ "$(id -u)" = 0 ] || fail "run as root (rootful podman)"

IMAGE=${IMAGE:-localhost/mockserver:smoke}
BASE_IMAGE=${BASE_IMAGE:-localhost/pybase:bookworm}
SUITE=${SUITE:-bookworm}
HEALTH_PATH=${HEALTH_PATH:-/__admin/health}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-60}
KEEP_IMAGE=${KEEP_IMAGE:-1}
WORK=${WORK:-${TMPDIR:-/tmp}/mockserver-container-smoke}
mkdir -p "$WORK"

PODMAN=(podman)
case "${STORAGE_DRIVER:-overlay}" in
  overlay) ;;
  vfs) PODMAN+=(--storage-driver vfs --root /var/lib/containers/vfs --runroot /run/containers/vfs) ;;
  *) fail "STORAGE_DRIVER is overlay or vfs" ;;
esac

install_tools() {
  local missing=() tool
  for tool in podman runc debootstrap curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ ${#missing[@]} = 0 ] && return
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update && apt-get install -y "${missing[@]}"; } >"$WORK/apt.log" 2>&1 ||
    { tail -20 "$WORK/apt.log" >&2; fail "apt-get install failed"; }
}

# runc, not crun (crun refuses hybrid cgroup setups), and rlimits root may really set:
# podman's defaults exceed what a container host without CAP_SYS_RESOURCE allows.
engine_conf() {
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\n' \
    "$1" "$1" "$2" "$2" >"$WORK/containers.conf"
  export CONTAINERS_CONF="$WORK/containers.conf"
}

capped() {  # a hard limit, "unlimited" and anything larger read as $2
  local v=$1 cap=$2
  if [ "$v" = unlimited ] || [ "$v" -gt "$cap" ]; then echo "$cap"; else echo "$v"; fi
}

debian_mirror() {
  if [ -n "${MIRROR:-}" ]; then echo "$MIRROR"; return; fi
  { grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
    grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}'
  } | grep -E '/debian/?$' | head -1 || true
}

# The build installs from PyPI inside the container: give it the host's CA store (a
# TLS-inspecting proxy) and the host pip's http(s) index settings.
base_pip_conf() {
  local root=$1 idx extra trusted
  idx=${PIP_INDEX_URL:-$(python3 -m pip config get global.index-url 2>/dev/null || true)}
  extra=${PIP_EXTRA_INDEX_URL:-$(python3 -m pip config get global.extra-index-url 2>/dev/null || true)}
  trusted=${PIP_TRUSTED_HOST:-$(python3 -m pip config get global.trusted-host 2>/dev/null || true)}
  # shellcheck disable=SC2086  # a space-separated list
  extra=$(printf '%s\n' $extra | grep -E '^https?://' | tr '\n' ' ' || true)
  {
    echo "[global]"
    echo "cert = /etc/ssl/certs/ca-certificates.crt"
    echo "timeout = ${PIP_DEFAULT_TIMEOUT:-180}"
    echo "disable-pip-version-check = true"
    case "$idx" in http://*|https://*) echo "index-url = $idx" ;; esac
    [ -z "${extra// /}" ] || echo "extra-index-url = $extra"
    [ -z "$trusted" ] || echo "trusted-host = $trusted"
  } >"$root/etc/pip.conf"
}

make_base() {
  if [ "${REBUILD_BASE:-0}" != 1 ] && "${PODMAN[@]}" image exists "$BASE_IMAGE"; then
    say "base image $BASE_IMAGE is cached"
    return
  fi
  local mirror root="$WORK/rootfs"
  mirror=$(debian_mirror)
  [ -n "$mirror" ] || fail "no Debian mirror in the apt sources; set MIRROR"
  say "debootstrap $SUITE from $mirror into $BASE_IMAGE"
  rm -rf "$root"
  debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,python-is-python3,ca-certificates \
    "$SUITE" "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed"; }
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
  fi
  base_pip_conf "$root"
  # the Dockerfile pip-installs into the system interpreter, as python:*-slim allows
  rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "${PODMAN[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    - "$BASE_IMAGE" >/dev/null 2>"$WORK/import.err" || { cat "$WORK/import.err" >&2; fail "podman import failed"; }
  rm -rf "$root"
}

# Lower the rlimits until a container starts: some hosts allow less than their hard limit.
settle_limits() {
  local pair
  for pair in "$(capped "$(ulimit -Hn)" 1048576) $(capped "$(ulimit -Hu)" 32768)" "4096 4096" "1024 1024"; do
    # shellcheck disable=SC2086  # "nofile nproc"
    engine_conf $pair
    "${PODMAN[@]}" run --rm --network=none "$BASE_IMAGE" true 2>"$WORK/probe.err" && return
  done
  cat "$WORK/probe.err" >&2
  fail "no container starts on this machine"
}

build_image() {
  say "building $IMAGE"
  # docker format keeps the HEALTHCHECK (the OCI format drops it)
  "${PODMAN[@]}" build --format docker --pull=never --build-arg "BASE=$BASE_IMAGE" \
    -t "$IMAGE" "$CTX" >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; fail "build failed"; }
  say "image size: $("${PODMAN[@]}" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')"
}

CID=""
stop_container() {
  if [ -n "$CID" ]; then
    "${PODMAN[@]}" rm -f "$CID" >/dev/null 2>"$WORK/rm.err" || true
    shown "$WORK/rm.err"
  fi
  if [ "$KEEP_IMAGE" = 0 ]; then "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
}

run_and_check() {
  local port url deadline
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  trap stop_container EXIT
  CID=$("${PODMAN[@]}" run -d -p "127.0.0.1:$port:8080" "$IMAGE" 2>"$WORK/run.err") ||
    { shown "$WORK/run.err"; fail "podman run failed"; }
  url="http://127.0.0.1:$port"
  deadline=$((SECONDS + HEALTH_TIMEOUT))
  until curl -fsS --max-time 3 "$url$HEALTH_PATH" >/dev/null 2>&1; do
    [ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "$CID")" = true ] ||
      { "${PODMAN[@]}" logs "$CID" >&2 || true; fail "the container exited"; }
    [ $SECONDS -lt $deadline ] || fail "no 2xx from $url$HEALTH_PATH within ${HEALTH_TIMEOUT}s"
    sleep 0.5
  done
  say "healthy at $url$HEALTH_PATH"
  # no systemd to schedule it, so the HEALTHCHECK is run by hand once
  "${PODMAN[@]}" healthcheck run "$CID" 2>"$WORK/hc.err" || { shown "$WORK/hc.err"; fail "HEALTHCHECK failed"; }
  if [ -n "${SMOKE_CMD:-}" ]; then
    CONTAINER_URL=$url bash -c "$SMOKE_CMD" ||
      { "${PODMAN[@]}" logs "$CID" 2>&1 | tail -30 >&2; fail "SMOKE_CMD failed"; }
  fi
}

install_tools
engine_conf 1024 1024
make_base
settle_limits
build_image
run_and_check
say "OK: $IMAGE"
