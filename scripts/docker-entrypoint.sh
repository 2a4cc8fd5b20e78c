#!/bin/bash
# mockserver-entrypoint: the container's ENTRYPOINT. Turns MOCKSERVER_* environment
# variables into `mockserver serve` flags and execs the server, so it is PID 1 and gets
# SIGTERM directly (clean shutdown: in-flight requests finish, exit status 0).
#
#   (no args) | -flags...  -> mockserver serve <flags from env> [-flags...]
#   serve [-flags...]       -> same
#   healthcheck             -> exit 0 when GET /__admin/health answers 2xx (image HEALTHCHECK;
#                              it follows MOCKSERVER_HOST/PORT, not --host/--port flags)
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
#   MOCKSERVER_CALLBACK_ALLOW read by the server itself: "10.0.0.0/8,hook.local", hosts or
#                            CIDRs callbacks may reach although refused by default
#   Passed only when `mockserver serve --help` lists the flag (until then the variable is
#   just in the server's environment):
#   MOCKSERVER_SCENARIOS     --scenarios (the image sets /scenarios; skipped, with a note
#                            on stderr, while that path does not exist)
#   MOCKSERVER_TOKEN_TTL     --token-ttl
#   MOCKSERVER_LOG_FORMAT    --log-format
set -euo pipefail

# `mockserver serve --help`, saved at image build time so start-up does not pay for a
# second Python start to find out which optional flags this build of the CLI has.
SERVE_HELP=${MOCKSERVER_SERVE_HELP:-/opt/venv/share/mockserver/serve-help.txt}

has_flag() {
  local help
  if [ -r "$SERVE_HELP" ]; then help=$(<"$SERVE_HELP"); else help=$(mockserver serve --help); fi
  # the flag as a whole word: --scenarios must not match --scenarios-watch
  grep -qE -- "(^|[[:space:],[])$1([]=,[:space:]]|$)" <<<"$help"
}

healthcheck() {
  exec python3 - <<'PY'
import os, sys, urllib.request
host = os.environ.get("MOCKSERVER_HOST") or "127.0.0.1"
if host in ("0.0.0.0", "::"):  # bound to every address: loopback is one of them
    host = "127.0.0.1"
if ":" in host:
    host = f"[{host}]"
url = f"http://{host}:{os.environ.get('MOCKSERVER_PORT') or '8080'}/__admin/health"
req = urllib.request.Request(url)
if os.environ.get("MOCKSERVER_ADMIN_TOKEN"):
    req.add_header("Authorization", f"Bearer {os.environ['MOCKSERVER_ADMIN_TOKEN']}")
try:
    # no proxies: an HTTP(S)_PROXY given to the container must not swallow a loopback probe
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(req, timeout=2) as resp:
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
  # server's environment, for Settings.merged_with_env to pick up should it read them.
  if [ -n "${MOCKSERVER_SCENARIOS:-}" ] && has_flag --scenarios; then
    # A CI service often starts before the checkout that brings its scenario files
    # (GitHub Actions services: restart the service after checkout); start without them.
    if [ -e "$MOCKSERVER_SCENARIOS" ]; then
      flags+=(--scenarios "$MOCKSERVER_SCENARIOS")
    else
      echo "mockserver-entrypoint: MOCKSERVER_SCENARIOS=$MOCKSERVER_SCENARIOS does not exist; starting without scenarios" >&2
    fi
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
