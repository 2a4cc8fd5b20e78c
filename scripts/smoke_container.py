#!/usr/bin/env python3
"""Smoke-test a running mockserver (container) over HTTP; standard library only.

  smoke_container.py check [--url URL] [--admin-token T] [--mounted-scenario]
      health JSON, one injected error per vendor (exact status and key body fields),
      admin-token enforcement when a token is given, and the scenario checks (off for now)
  smoke_container.py wait [--url URL] [--since EPOCH] [--timeout S] [--admin-token T]
      poll health every 20 ms; print seconds from EPOCH (default: now) to the first 2xx
  smoke_container.py write-scenario DIR
      write the scenario file the smoke mounts at /scenarios

URL defaults to $CONTAINER_URL (set by scripts/container-smoke.sh for its SMOKE_CMD).
Exit status 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the container is on loopback: never through an HTTP(S)_PROXY from the environment
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
VENDORS = ("ringcentral", "yeastar", "signalwire", "fonedynamics", "webexconnect")

# ---------------------------------------------------------------------------------------
# SCENARIO CHECKS — a scenario loaded through `POST /__admin/scenarios` and one mounted at
# /scenarios. On by default; SMOKE_SCENARIOS=0 skips them. The two scenarios follow
# mockserver/scenarios/model.py; tests/test_ci_recipes.py validates them against it.
SCENARIO_CHECKS = os.environ.get("SMOKE_SCENARIOS", "1") == "1"
SCENARIO_FILE = "smoke-mounted.yaml"
# Loaded from the folder mounted at /scenarios: a request carrying X-Smoke: mounted gets
# Yeastar's TOKEN EXPIRED.
SCENARIO_MOUNTED_YAML = """\
name: smoke-mounted
rules:
  - match:
      vendor: yeastar
      method: POST
      path: /openapi/v1.0/call/dial
      headers: {X-Smoke: mounted}
    error: "10004"
"""
# Posted to /__admin/scenarios at run time: a request carrying X-Smoke: admin-api gets
# SignalWire's 21211 (invalid To number).
SCENARIO_ADMIN_JSON: dict[str, Any] = {
    "name": "smoke-admin-api",
    "rules": [
        {
            "match": {
                "vendor": "signalwire",
                "method": "POST",
                "path": "/2010-04-01/Accounts/PROJ/Messages.json",
                "headers": {"X-Smoke": "admin-api"},
            },
            "error": "21211",
        }
    ],
}
# ---------------------------------------------------------------------------------------


@dataclass
class Answer:
    """One HTTP answer; body is the parsed JSON, or the raw text when it is not JSON."""

    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Report:
    """Collects check results and prints one line per check."""

    failures: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
        if not ok:
            self.failures.append(name)


def request(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 5.0,
) -> Answer:
    """Send one request; HTTP error statuses are answers too, not exceptions."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with DIRECT.open(req, timeout=timeout) as resp:
            status, raw, hdrs = resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        status, raw, hdrs = err.code, err.read(), dict(err.headers)
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return Answer(status, hdrs, parsed)


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def dig(body: Any, *path: str | int) -> Any:
    """body[p0][p1]... or None when any step is missing."""
    for step in path:
        try:
            body = body[step]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def check_health(report: Report, base: str, token: str | None) -> None:
    ans = request(f"{base}/__admin/health", headers=_auth(token))
    vendors = dig(ans.body, "vendors") or {}
    ok = (
        ans.status == 200
        and dig(ans.body, "status") == "ok"
        and set(VENDORS) <= set(vendors)
        and (dig(ans.body, "entries") or 0) > 0
    )
    detail = f"{ans.status} status={dig(ans.body, 'status')!r} version={dig(ans.body, 'version')!r} entries={dig(ans.body, 'entries')} vendors={sorted(vendors)}"
    report.check("health", ok, detail)
    if token:
        anon = request(f"{base}/__admin/health")
        report.check("admin token required", anon.status == 401, f"no token -> {anon.status}")


# (vendor, code, method, path, expected status, check on the answer, what it shows)
Expectation = tuple[str, str, str, str, int, Callable[[Answer], bool], Callable[[Answer], str]]
INJECTED: list[Expectation] = [
    (
        "ringcentral",
        "CMN-301",
        "POST",
        "/ringcentral/restapi/v1.0/account/~/extension/~/sms",
        429,
        lambda a: dig(a.body, "errorCode") == "CMN-301" and "Retry-After" in a.headers,
        lambda a: (
            f"errorCode={dig(a.body, 'errorCode')!r} Retry-After={a.headers.get('Retry-After')!r}"
        ),
    ),
    (
        "yeastar",
        "10004",
        "POST",
        "/yeastar/openapi/v1.0/call/dial",
        200,
        lambda a: a.body == {"errcode": 10004, "errmsg": "TOKEN EXPIRED"},
        lambda a: f"body={a.body!r}",
    ),
    (
        "signalwire",
        "21211",
        "POST",
        "/signalwire/2010-04-01/Accounts/PROJ/Messages.json",
        400,
        lambda a: dig(a.body, "code") == 21211 and dig(a.body, "status") == 400,
        lambda a: f"code={dig(a.body, 'code')!r} status={dig(a.body, 'status')!r}",
    ),
    (
        "fonedynamics",
        "FORBIDDEN",
        "POST",
        "/fonedynamics/v2/Properties/P1/Messages",
        403,
        lambda a: dig(a.body, "ResponseStatus", "ErrorCode") == "FORBIDDEN",
        lambda a: f"ResponseStatus.ErrorCode={dig(a.body, 'ResponseStatus', 'ErrorCode')!r}",
    ),
    (
        "webexconnect",
        "7001",
        "POST",
        "/webexconnect/resources/v1/messaging",
        401,
        lambda a: dig(a.body, "response", 0, "code") == "7001",
        lambda a: f"response[0].code={dig(a.body, 'response', 0, 'code')!r}",
    ),
]


def check_injected_errors(report: Report, base: str) -> None:
    for vendor, code, method, path, status, ok, show in INJECTED:
        ans = request(
            base + path,
            method,
            {"X-Mock-Error": code, "Content-Type": "application/json"},
            b"{}",
        )
        good = ans.status == status and ok(ans)
        report.check(f"{vendor} {code}", good, f"{method} {path} -> {ans.status} {show(ans)}")


def scenario_checks(report: Report, base: str, token: str | None, mounted: bool) -> None:
    """Scenario loading: the file mounted at /scenarios, and one posted to the admin API.

    Off until the scenario engine exists (see SCENARIO_CHECKS at the top).
    """
    if mounted:
        ans = request(
            f"{base}/yeastar/openapi/v1.0/call/dial", "POST", {"X-Smoke": "mounted"}, b"{}"
        )
        report.check(
            "scenario mounted at /scenarios",
            ans.status == 200 and dig(ans.body, "errcode") == 10004,
            f"-> {ans.status} {ans.body!r}",
        )
    body = json.dumps(SCENARIO_ADMIN_JSON).encode()
    headers = {"Content-Type": "application/json", **_auth(token)}
    ans = request(f"{base}/__admin/scenarios", "POST", headers, body)
    report.check(
        "POST /__admin/scenarios", 200 <= ans.status < 300, f"-> {ans.status} {ans.body!r}"
    )
    ans = request(
        f"{base}/signalwire/2010-04-01/Accounts/PROJ/Messages.json",
        "POST",
        {"X-Smoke": "admin-api", "Content-Type": "application/x-www-form-urlencoded"},
        b"To=%2B15005550001&From=%2B15005550006&Body=hi",
    )
    report.check(
        "scenario from admin API",
        ans.status == 400 and dig(ans.body, "code") == 21211,
        f"-> {ans.status} code={dig(ans.body, 'code')!r}",
    )


def cmd_check(args: argparse.Namespace) -> int:
    base = args.url.rstrip("/")
    print(f"smoke checks against {base}", flush=True)
    report = Report()
    check_health(report, base, args.admin_token)
    check_injected_errors(report, base)
    if SCENARIO_CHECKS:
        scenario_checks(report, base, args.admin_token, args.mounted_scenario)
    else:
        print("skip scenario checks (SMOKE_SCENARIOS=1 turns them on)", flush=True)
    if report.failures:
        print(f"{len(report.failures)} check(s) failed: {', '.join(report.failures)}")
        return 1
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    start = args.since if args.since is not None else time.time()
    deadline = time.monotonic() + args.timeout
    url = f"{args.url.rstrip('/')}/__admin/health"
    while time.monotonic() < deadline:
        try:
            if 200 <= request(url, headers=_auth(args.admin_token), timeout=1).status < 300:
                print(f"{time.time() - start:.2f}")
                return 0
        except OSError:
            pass  # not listening yet (refused/reset while the container starts)
        time.sleep(0.02)
    print(f"no 2xx from {url} within {args.timeout}s", file=sys.stderr)
    return 1


def cmd_write_scenario(args: argparse.Namespace) -> int:
    args.dir.mkdir(parents=True, exist_ok=True)
    (args.dir / SCENARIO_FILE).write_text(SCENARIO_MOUNTED_YAML, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["check", *argv]  # `check` is the default command
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    url = os.environ.get("CONTAINER_URL", "http://127.0.0.1:8080")
    check = sub.add_parser("check", help="run the checks (the default)")
    wait = sub.add_parser("wait", help="poll health; print seconds to the first 2xx")
    for p in (check, wait):
        p.add_argument("--url", default=url, help="base URL (default: $CONTAINER_URL)")
        p.add_argument("--admin-token", help="bearer token for /__admin")
    check.add_argument("--mounted-scenario", action="store_true", help="/scenarios has ours")
    wait.add_argument("--since", type=float, help="epoch seconds to measure from")
    wait.add_argument("--timeout", type=float, default=60.0)
    write = sub.add_parser("write-scenario", help="write the mounted scenario file")
    write.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    if args.command == "wait":
        return cmd_wait(args)
    if args.command == "write-scenario":
        return cmd_write_scenario(args)
    return cmd_check(args)


if __name__ == "__main__":
    sys.exit(main())
