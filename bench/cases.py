"""The measured requests, how each is prepared on a fresh server, and the one-shot probe."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from bench.baseline import Recorded
from bench.scenarios import BENCH_HEADER, HIT, scenario_yaml

RC = "/ringcentral/restapi/v1.0/account/~/extension/~"
SMS_PATH = f"{RC}/sms"
TOKEN_PATH = "/ringcentral/restapi/oauth/token"
SMS_BODY = json.dumps(
    {
        "from": {"phoneNumber": "+16505550100"},
        "to": [{"phoneNumber": "+16505550101"}],
        "text": "bench",
    }
).encode()
JSON = {"Content-Type": "application/json", "Authorization": "Bearer bench-token"}
SW_PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
SW_SEND = f"/signalwire/2010-04-01/Accounts/{SW_PROJECT}/Messages.json"
SW_AUTH = "Basic " + base64.b64encode(f"{SW_PROJECT}:PT-bench".encode()).decode()
SW_FORM = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": SW_AUTH}
# +15005550001 is a shipped magic number (vendors/signalwire/defaults.yaml): 21211 "invalid To"
SW_MAGIC = urlencode({"To": "+15005550001", "From": "+15550100002", "Body": "bench"}).encode()
SW_BODY = urlencode({"To": "+15550100001", "From": "+15550100002", "Body": "bench"}).encode()
NOT_YET = (404, 405)


class Skip(Exception):
    """The case cannot run on this server; the message says why."""


@dataclass(frozen=True)
class Case:
    """One request shape measured against the mockserver and its replaying baseline.

    Attributes:
        name: short id used in flags and JSON.
        title: what the row means, for the table.
        method, path, headers, body: the request sent by the load generator.
        expect: which probe statuses mean the server does what the case measures.
        rules: when set, a scenario with this many rules is loaded first.
        token: fetch a RingCentral access token first and send it as the bearer.
        goal: the least ratio to the bare app the issue asks of this class, if any.
    """

    name: str
    title: str
    method: str
    path: str
    expect: Callable[[int], bool]
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    rules: int | None = None
    token: bool = False
    goal: float | None = None


def _rules_case(n: int) -> Case:
    return Case(
        name=f"rules-{n}",
        title=f"scenario-matched error, {n:,} rule{'s' if n > 1 else ''} loaded",
        method="POST",
        path=SMS_PATH,
        expect=lambda s: s == 429,
        headers={**JSON, BENCH_HEADER: HIT},
        body=SMS_BODY,
        rules=n,
        goal=0.8 if n == 1 else None,
    )


CASES: tuple[Case, ...] = (
    Case(
        "injected",
        "header-injected error (X-Mock-Error: CMN-301)",
        "POST",
        SMS_PATH,
        lambda s: s == 429,
        {**JSON, "X-Mock-Error": "CMN-301"},
        SMS_BODY,
        goal=0.8,
    ),
    Case(
        "not-found",
        "no rule matched (vendor not-found)",
        "GET",
        f"{RC}/nothing",
        lambda s: s == 404,
    ),
    _rules_case(1),
    _rules_case(100),
    _rules_case(1000),
    Case(
        "generic-read",
        "generic engine: presence (spec-driven singleton, stored per session)",
        "GET",
        f"{RC}/presence",
        lambda s: s == 200,
        {"Authorization": "Bearer bench-token"},
        token=True,
    ),
    Case(
        "sms-send",
        "happy-path SMS send (RingCentral)",
        "POST",
        SMS_PATH,
        lambda s: 200 <= s < 300,
        JSON,
        SMS_BODY,
        token=True,
        goal=0.5,
    ),
    Case(
        "sw-magic",
        "scenario-matched error, shipped file rule (SignalWire magic To number)",
        "POST",
        SW_SEND,
        lambda s: s == 400,
        SW_FORM,
        SW_MAGIC,
        goal=0.8,
    ),
    Case(
        "sw-send",
        "happy-path SMS send (SignalWire compat Messages)",
        "POST",
        SW_SEND,
        lambda s: s == 201,
        SW_FORM,
        SW_BODY,
        goal=0.5,
    ),
)


def request(
    host: str, port: int, method: str, path: str, headers: Mapping[str, str], body: bytes
) -> Recorded:
    """Send one request and capture the answer's status, headers (in order) and body."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=dict(headers))
        resp = conn.getresponse()
        return Recorded(resp.status, tuple(resp.getheaders()), resp.read())
    finally:
        conn.close()


def prepare(case: Case, host: str, port: int) -> Case:
    """Load the case's scenario and fetch its token; raise Skip when the server lacks them.

    Returns:
        The case to measure (with the fetched bearer token, when it has one).
    """
    if case.token and (token := ringcentral_token(host, port)):
        case = replace(case, headers={**case.headers, "Authorization": f"Bearer {token}"})
    if case.rules is None:
        return case
    doc = scenario_yaml(case.rules, SMS_PATH.removeprefix("/ringcentral")).encode()
    got = request(
        host, port, "POST", "/__admin/scenarios", {"Content-Type": "application/yaml"}, doc
    )
    if got.status in NOT_YET:
        raise Skip(f"not available yet: POST /__admin/scenarios answered {got.status}")
    if not 200 <= got.status < 300:
        raise Skip(f"scenario load failed: {got.status} {got.body[:300]!r}")
    return case


def ringcentral_token(host: str, port: int) -> str | None:
    """An access token from the mock's RingCentral token endpoint (JWT grant), if it has one."""
    basic = base64.b64encode(b"bench-client:bench-secret").decode()
    headers = {
        "Authorization": f"Basic {basic}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    form = urlencode(
        {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "bench"}
    )
    got = request(host, port, "POST", TOKEN_PATH, headers, form.encode())
    if got.status != 200:
        return None
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return str(json.loads(got.body)["access_token"])
    return None


def probe(case: Case, host: str, port: int) -> Recorded:
    """The answer the case's request gets; raise Skip when it is not the one measured."""
    got = request(host, port, case.method, case.path, case.headers, case.body)
    if case.expect(got.status):
        return got
    if case.name == "sms-send" and got.status in NOT_YET:
        raise Skip(f"not available yet: {case.method} {case.path} answered {got.status}")
    raise Skip(f"unexpected answer {got.status}: {got.body[:300]!r}")
