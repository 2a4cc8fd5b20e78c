#!/bin/sh
# mockserver-entrypoint: the container's ENTRYPOINT. `mockserver serve` reads every MOCKSERVER_*
# variable itself (docs/operations.md#settings), so this only execs it: the server is PID 1
# and gets SIGTERM directly (in-flight requests finish, exit status 0).
#
#   (no args) | -flags...      -> mockserver serve [-flags...]
#   serve [-flags...]          -> the same
#   catalog ... | validate ... | --version -> mockserver ... (offline)
#   healthcheck                -> exit 0 when GET /__admin/health answers 2xx (the image's
#                                 HEALTHCHECK; it follows MOCKSERVER_HOST, MOCKSERVER_PORT and
#                                 MOCKSERVER_ADMIN_TOKEN, not --host/--port flags)
#   anything else              -> exec'd as given (e.g. sh)
set -eu

# A bare interpreter, not `mockserver`: this runs every 2 s, and importing the server costs
# ten times what the probe does. The defaults are Settings' own (tests/test_ci_recipes.py).
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

case "${1:-}" in
  healthcheck) healthcheck ;;
  catalog | validate | --version) exec mockserver "$@" ;;
  serve) shift ;;
  "" | -*) ;;
  *) exec "$@" ;;
esac
exec mockserver serve "$@"
