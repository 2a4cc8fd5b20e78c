#!/usr/bin/env bash
# Debian packages the test suite drives for real, installed when missing (make test runs this).
# redis-server: the shared-store tests start their own on free loopback ports.
# chromium, chromium-driver: the console's browser tests (tests/console) drive it headless.
# Without root the missing ones are named and the tests that need them skip with the reason.
set -euo pipefail

# package:binary pairs
NEEDED=(redis-server:redis-server chromium:chromium chromium-driver:chromedriver)

missing=()
for pair in "${NEEDED[@]}"; do
  command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${missing[*]} (install them; the tests needing them will skip)" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@"; }
log=$(mktemp)
if ! apt_install "${missing[@]}" >"$log" 2>&1; then
  apt-get -o DPkg::Lock::Timeout=300 update -q >"$log" 2>&1 && apt_install "${missing[@]}" >"$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "system-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi
rm -f "$log"
