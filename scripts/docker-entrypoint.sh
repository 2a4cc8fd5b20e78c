#!/bin/bash
# mockserver-entrypoint: the container's ENTRYPOINT. Turns MOCKSERVER_* environment
# variables into `mockserver serve` flags and execs the server, so it is PID 1 and gets
# SIGTERM directly (clean shutdown: in-flight requests finish, exit status 0).
#
#   (no args) | -flags...  -> mockserver serve <flags from env> [-flags...]
#   serve [-flags...]       -> same
#   healthcheck             -> exit 0 when GET /__admin/health answers 2xx (image HEALTHCHECK)
#   catalog ... | --version -> mockserver catalog ... (offline catalog browsing)
#   anything else           -> exec'd as given (e.g. bash)
#
# Environment (flags given on the command line come later and win):
#   MOCKSERVER_HOST          --host (the image sets 0.0.0.0)
#   MOCKSERVER_PORT          --port (the image sets 8080)
#   MOCKSERVER_SEED          --seed
#   MOCKSERVER_VENDOR_PORTS  "signalwire=9001 ringcentral=9002" -> one --vendor-port each
#   MOCKSERVER_ADMIN_TOKEN   read by the server itself (never put on the command line,
#                            where `ps` would show it); health needs it too when set
#   MOCKSERVER_SCENARIOS     --scenarios (the image sets /scenarios)  } passed only when
#   MOCKSERVER_TOKEN_TTL     --token-ttl                              } `mockserver serve
#   MOCKSERVER_LOG_FORMAT    --log-format                             } --help` lists them
set -euo pipefail

# `mockserver serve --help`, saved at image build time so start-up does not pay for a
# second Python start to find out which optional flags this build of the CLI has.
SERVE_HELP=${MOCKSERVER_SERVE_HELP:-/opt/venv/share/mockserver/serve-help.txt}

has_flag() {
  local help
  if [ -r "$SERVE_HELP" ]; then help=$(<"$SERVE_HELP"); else help=$(mockserver serve --help); fi
  # the flag as a whole word: --scenarios must not match --scenarios-watch
  grep -qE -- "(^|[[:space:],[])$1([[:space:]=,]|$)" <<<"$help"
}

healthcheck() {
  exec python3 - <<'PY'
import os, sys, urllib.request
url = f"http://127.0.0.1:{os.environ.get('MOCKSERVER_PORT') or '8080'}/__admin/health"
req = urllib.request.Request(url)
if os.environ.get("MOCKSERVER_ADMIN_TOKEN"):
    req.add_header("Authorization", f"Bearer {os.environ['MOCKSERVER_ADMIN_TOKEN']}")
try:
    with urllib.request.urlopen(req, timeout=2) as resp:
        sys.exit(0 if 200 <= resp.status < 300 else 1)
except Exception as err:
    print(f"unhealthy: {url}: {err}", file=sys.stderr)
    sys.exit(1)
PY
}

serve() {
  local flags=() item
  if [ -n "${MOCKSERVER_HOST:-}" ]; then flags+=(--host "$MOCKSERVER_HOST"); fi
  if [ -n "${MOCKSERVER_PORT:-}" ]; then flags+=(--port "$MOCKSERVER_PORT"); fi
  if [ -n "${MOCKSERVER_SEED:-}" ]; then flags+=(--seed "$MOCKSERVER_SEED"); fi
  for item in ${MOCKSERVER_VENDOR_PORTS:-}; do flags+=(--vendor-port "$item"); done
  # Optional flags: only when this CLI has them. Until then the variables are still in the
  # server's environment, for Settings.merged_with_env to pick up if it reads them.
  if [ -n "${MOCKSERVER_SCENARIOS:-}" ] && has_flag --scenarios; then
    flags+=(--scenarios "$MOCKSERVER_SCENARIOS")
  fi
  if [ -n "${MOCKSERVER_TOKEN_TTL:-}" ] && has_flag --token-ttl; then
    flags+=(--token-ttl "$MOCKSERVER_TOKEN_TTL")
  fi
  if [ -n "${MOCKSERVER_LOG_FORMAT:-}" ] && has_flag --log-format; then
    flags+=(--log-format "$MOCKSERVER_LOG_FORMAT")
  fi
  exec mockserver serve "${flags[@]}" "$@"
}

case "${1:-}" in
  catalog | --version) exec mockserver "$@" ;;
  "" | -*) serve "$@" ;;
  serve) shift; serve "$@" ;;
  healthcheck) healthcheck ;;
  *) exec "$@" ;;
esac
