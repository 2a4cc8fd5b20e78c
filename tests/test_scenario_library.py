"""The ready-made scenario library in scenarios/: every file loads, and does what it says.

Each file is loaded through the admin API into a fresh app and driven with the requests its
header describes. Assertions are on the injected behaviour (status, envelope code, headers)
and on the journal's `rule`/`outcome` for when it stops, never on happy-path bodies: those
belong to the vendors' own tests. The one exception is the code field of a failure callback
(SignalWire's `ErrorCode`, Webex Connect's `deliveryInfo.code`), which is what a `callback`
rule injects. Faults are observed with `requests` against a real server; the 15 s delays are
read from the engine, not waited for.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import requests
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from mockserver.catalog import Catalog
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios import CallbackAction, PassthroughAction, load_path
from mockserver.server.app import create_app
from mockserver.server.services import SERVICES, Services
from mockserver.testing import ServerThread
from tests.conftest import ClientFactory

ROOT = Path(__file__).resolve().parents[1] / "scenarios"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/scenario.schema.json"
BAD = {
    "ringcentral": "+12025550199",
    "signalwire": "+12025550199",
    "yeastar": "+12025550199",
    "fonedynamics": "+61491570159",
    "webexconnect": "447700900123",
}
GOOD = {
    "ringcentral": "+12025550123",
    "signalwire": "+12025550123",
    "yeastar": "+12025550123",
    "fonedynamics": "+61491570156",
    "webexconnect": "447700900456",
}
HTML = "html"  # expected answer: a load balancer's HTML page

# ---- the library's contents: which vendor has which situation, and what it answers ---------

RATE_LIMITED = {
    "ringcentral": ("CMN-301", 429),
    "signalwire": ("20429", 429),
    "fonedynamics": ("FORBIDDEN", 429),
    "webexconnect": ("7020", 429),
}
TOKEN_EXPIRED = {
    "ringcentral": ("OAU-128", 401),
    "signalwire": ("20003", 401),
    "yeastar": ("10004", 200),
    "webexconnect": ("7001", 401),
}
INVALID_DESTINATION = {
    "ringcentral": ("CMN-101", 400),
    "signalwire": ("21211", 400),
    "yeastar": ("40002", 200),
    "fonedynamics": ("INVALID_PHONENUMBER_FORMAT", 400),
}
INVALID_DESTINATION_DETAIL: dict[str, Callable[[Any], bool]] = {
    "ringcentral": lambda b: (b["parameterName"], b["parameterValue"]) == ("to", "+12025550199"),
    "signalwire": lambda b: b["status"] == 400,
    "yeastar": lambda b: b["invalid_param_list"][0]["field"] == "callee",
    "fonedynamics": lambda b: b["ResponseStatus"]["Errors"] == [{"FieldName": "To"}],
}
INVALID_DESTINATION_CALLBACK = {"webexconnect": "7102"}
DELIVERY_FAILURE = {
    "signalwire": ["30003", "30005", "30007"],
    "webexconnect": ["7109", "7203", "7207"],
}
OUTAGE: dict[str, list[tuple[str, int]]] = {
    "ringcentral": [(HTML, 503), ("CMN-201", 500), ("CMN-203", 500)],
    "signalwire": [(HTML, 503), ("20503", 503), ("20500", 500)],
    "yeastar": [(HTML, 503), ("-2", 200), ("-2", 200)],
    "fonedynamics": [(HTML, 503), (HTML, 502), (HTML, 503)],
    "webexconnect": [(HTML, 503), ("7006", 500), ("7011", 500)],
}
FLAPPING = {
    "ringcentral": ("CMN-201", 500),
    "signalwire": ("20503", 503),
    "yeastar": ("-2", 200),
    "fonedynamics": (HTML, 502),
    "webexconnect": ("7006", 500),
}
ACCOUNT_SUSPENDED = {
    "ringcentral": ("OAU-142", 400),
    "signalwire": ("10001", 403),
    "yeastar": ("70120", 200),
    "fonedynamics": ("NO_SMS_AGREEMENT", 403),
    "webexconnect": ("7007", 403),
}
INSUFFICIENT_FUNDS_CALLBACK = {"webexconnect": "7103"}
ALL = tuple(BAD)

LIBRARY: dict[str, tuple[str, ...]] = {
    "rate-limited-then-recovers": tuple(RATE_LIMITED),
    "token-expires-mid-run": tuple(TOKEN_EXPIRED),
    "invalid-destination": (*INVALID_DESTINATION, *INVALID_DESTINATION_CALLBACK),
    "delivery-failure-callback": tuple(DELIVERY_FAILURE),
    "outage-then-recovery": tuple(OUTAGE),
    "flapping": tuple(FLAPPING),
    "slow-responses": ALL,
    "connection-reset": ALL,
    "malformed-body": ALL,
    "account-suspended": tuple(ACCOUNT_SUSPENDED),
    "insufficient-funds": tuple(INSUFFICIENT_FUNDS_CALLBACK),
}
"""Every file the library must hold, as situation -> vendors; each is driven below."""

FILES = sorted(p for vendor in ALL for p in (ROOT / vendor).glob("*.y*ml"))


def _file(vendor: str, situation: str) -> Path:
    return ROOT / vendor / f"{situation}.yaml"


def _cases(situation: str) -> list[Any]:
    return [pytest.param(v, id=v) for v in LIBRARY[situation]]


# ---- requests the files describe -----------------------------------------------------------


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@dataclass(frozen=True)
class Req:
    """One vendor request, sendable over HTTP and as an engine snapshot."""

    vendor: str
    method: str
    path: str  # vendor-relative
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/{self.vendor}{self.path}"

    def snapshot(self, session: str | None = None) -> RequestSnapshot:
        return RequestSnapshot(
            vendor=self.vendor,
            method=self.method,
            path=self.path,
            query=list(self.query.items()),
            headers=self.headers,
            body=self.body,
            session=session,
        )


def _json(vendor: str, method: str, path: str, data: Any, **kw: Any) -> Req:
    headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
    return Req(vendor, method, path, json.dumps(data).encode(), headers, **kw)


def send_request(vendor: str, to: str | None = None) -> Req:
    """The vendor's main send request (SMS, or Yeastar's dial) to `to`."""
    to = to or GOOD[vendor]
    if vendor == "ringcentral":
        return _json(
            vendor,
            "POST",
            "/restapi/v1.0/account/~/extension/~/sms",
            {"from": {"phoneNumber": "+12025550100"}, "to": [{"phoneNumber": to}], "text": "hi"},
            headers={"Authorization": "Bearer library-test-token"},
        )
    if vendor == "signalwire":
        form = urlencode({"To": to, "From": "+12025550100", "Body": "hi"}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": _basic("library-project", "token"),
        }
        path = "/2010-04-01/Accounts/library-project/Messages.json"
        return Req(vendor, "POST", path, form, headers)
    if vendor == "yeastar":
        return _json(
            vendor,
            "POST",
            "/openapi/v1.0/call/dial",
            {"caller": "1001", "callee": to},
            query={"access_token": "library-token"},
        )
    if vendor == "fonedynamics":
        return _json(
            vendor,
            "POST",
            "/v2/Properties/PR1234/Messages",
            {"From": "+61491570110", "To": to, "Text": "hi"},
            headers={"Authorization": _basic("ACLIBRARY", "token")},
        )
    assert vendor == "webexconnect"
    return _json(
        vendor,
        "POST",
        "/resources/v1/messaging",
        {
            "deliverychannel": "sms",
            "channels": {"sms": {"text": "hi"}},
            "destination": [{"msisdn": [to], "correlationid": "c1"}],
        },
        headers={"key": "library-service-key"},
    )


def token_request(vendor: str) -> Req:
    """A request of the kind token-expires-mid-run targets (Webex: a JWT-authenticated send)."""
    if vendor != "webexconnect":
        return send_request(vendor)
    return _json(
        vendor,
        "POST",
        "/v1/sms/messages",
        {"from": "ACME", "to": GOOD[vendor], "content": "hi"},
        headers={"Authorization": "Bearer library.jwt.token"},
    )


def suspended_request(vendor: str) -> Req:
    """A request account-suspended targets (RingCentral: a token request)."""
    if vendor != "ringcentral":
        return send_request(vendor)
    form = urlencode({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": _basic("library-client", "secret"),
    }
    return Req(vendor, "POST", "/restapi/oauth/token", form, headers)


def code_of(vendor: str, body: Any) -> str:
    """The error code in a vendor envelope, as text."""
    if vendor == "ringcentral":
        return str(body.get("errorCode") or body["errors"][0]["errorCode"])
    if vendor == "signalwire":
        return str(body["code"])
    if vendor == "yeastar":
        return str(body["errcode"])
    if vendor == "fonedynamics":
        return str(body["ResponseStatus"]["ErrorCode"])
    return str(body["response"][0]["code"] if "response" in body else body["code"])


# ---- helpers over a fresh app ---------------------------------------------------------------


@dataclass
class App:
    client: TestClient[web.Request, web.Application]
    services: Services

    async def load(self, path: Path) -> list[str]:
        resp = await self.client.post("/__admin/scenarios", data=path.read_bytes())
        body = await resp.json()
        assert resp.status == 201, body
        return list(body["loaded"])

    async def send(self, req: Req) -> ClientResponse:
        return await self.client.request(
            req.method, req.url, data=req.body, headers=req.headers, params=req.query
        )

    async def journal(self) -> list[dict[str, Any]]:
        resp = await self.client.get("/__admin/requests")
        return list((await resp.json())["requests"])


@pytest.fixture
def new_app(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> Callable[[], Awaitable[App]]:
    async def make() -> App:
        services = make_services()
        return App(await aiohttp_client(create_app(services.settings, services)), services)

    return make


@pytest.fixture
def app(client: TestClient[web.Request, web.Application]) -> App:
    return App(client, client.app[SERVICES])


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    text: str


async def answer(resp: ClientResponse) -> Answer:
    return Answer(resp.status, resp.headers.get("Content-Type", ""), await resp.text())


def check(vendor: str, got: Answer, code: str, status: int) -> Any:
    """Assert an injected answer: the status and the vendor envelope's code (or HTML page)."""
    assert got.status == status, got
    if code == HTML:
        assert got.content_type.startswith("text/html"), got
        assert "<html>" in got.text
        return None
    body = json.loads(got.text)
    assert code_of(vendor, body) == code, body
    return body


async def expect_error(vendor: str, resp: ClientResponse, code: str, status: int) -> Any:
    """`check` for a live response."""
    return check(vendor, await answer(resp), code, status)


def callback_code(app: App, req: Req) -> str | None:
    """The code a `callback` rule gives `req`, asked of the engine in a session of its own.

    Counters are per session, so this does not disturb what the test's requests see; the
    code itself only shows in the callback, which needs the vendor's happy path.
    """
    decision = app.services.engine.evaluate(req.snapshot(session="engine-probe"))
    if decision is None:
        return None
    assert isinstance(decision.action, CallbackAction), decision
    return decision.action.code


def fired(entries: list[dict[str, Any]]) -> list[bool]:
    """For each journalled request, whether a library rule decided it (not the happy path)."""
    return [e["rule"] is not None and e["outcome"] != "passthrough" for e in entries]


# ---- (a) every file loads, has its header and a unique name ---------------------------------


def test_library_holds_exactly_the_documented_files() -> None:
    expected = {_file(v, s) for s, vendors in LIBRARY.items() for v in vendors}
    assert set(FILES) == expected


def test_readme_lists_every_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in FILES:
        assert f"{path.parent.name}/{path.name}" in readme, path


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_file_loads_with_the_real_catalog(path: Path, catalog: Catalog) -> None:
    scenarios = load_path(path, catalog)
    assert [s.name for s in scenarios] == [f"{path.parent.name}-{path.stem}"]
    assert scenarios[0].vendor == path.parent.name
    assert scenarios[0].description
    for rule in scenarios[0].rules:
        assert rule.match.method, f"{rule.name}: scope the match to a method and path"
        assert rule.match.path is not None, f"{rule.name}: scope the match to a path"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_file_starts_with_schema_line_and_header(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == SCHEMA_LINE
    top = lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]
    header = "\n".join(top)
    assert len(top) >= 6, f"{path}: the header comment is missing or too short"
    for part in ("Matches:", "Does:", "A correct client:"):
        assert part in header, f"{path}: header lacks {part!r}"


def test_names_are_unique_across_the_library(catalog: Catalog) -> None:
    names = [s.name for s in load_path(ROOT, catalog)]  # the folder, as `--scenarios` loads it
    assert len(names) == len(set(names))
    assert {f"{p.parent.name}-{p.stem}" for p in FILES} <= set(names)


async def test_whole_library_loads_at_once(app: App) -> None:
    loaded = []
    for path in FILES:
        loaded += await app.load(path)
    listing = await (await app.client.get("/__admin/scenarios")).json()
    ours = [name for name in listing["scenarios"] if not name.startswith("defaults-")]
    assert sorted(ours) == sorted(loaded)


# ---- (b) each situation, end to end ---------------------------------------------------------


@pytest.mark.parametrize("vendor", _cases("rate-limited-then-recovers"))
async def test_rate_limited_then_recovers(app: App, vendor: str) -> None:
    code, status = RATE_LIMITED[vendor]
    await app.load(_file(vendor, "rate-limited-then-recovers"))
    for i in range(6):
        resp = await app.send(send_request(vendor))
        if 2 <= i < 5:
            await expect_error(vendor, resp, code, status)
            assert resp.headers["Retry-After"] == "2"
            if vendor == "ringcentral":
                assert resp.headers["X-Rate-Limit-Remaining"] == "0"
        else:
            assert resp.status != 429
    assert fired(await app.journal()) == [False, False, True, True, True, False]


@pytest.mark.parametrize("vendor", _cases("token-expires-mid-run"))
async def test_token_expires_mid_run(app: App, vendor: str) -> None:
    code, status = TOKEN_EXPIRED[vendor]
    await app.load(_file(vendor, "token-expires-mid-run"))
    for i in range(5):
        resp = await app.send(token_request(vendor))
        if i == 2:
            await expect_error(vendor, resp, code, status)
    assert fired(await app.journal()) == [False, False, True, False, False]


async def test_webex_token_expiry_only_concerns_jwt_requests(app: App) -> None:
    await app.load(_file("webexconnect", "token-expires-mid-run"))
    jwt = token_request("webexconnect")
    raw_key = replace(jwt, headers={**jwt.headers, "Authorization": "library-service-key"})
    for _ in range(4):
        await app.send(raw_key)
    assert fired(await app.journal()) == [False] * 4


@pytest.mark.parametrize("vendor", _cases("invalid-destination"))
async def test_invalid_destination(app: App, vendor: str) -> None:
    await app.load(_file(vendor, "invalid-destination"))
    for _ in range(2):  # every time, not once
        resp = await app.send(send_request(vendor, BAD[vendor]))
        if vendor in INVALID_DESTINATION:
            body = await expect_error(vendor, resp, *INVALID_DESTINATION[vendor])
            assert INVALID_DESTINATION_DETAIL[vendor](body)
    await app.send(send_request(vendor, GOOD[vendor]))
    entries = await app.journal()
    if vendor in INVALID_DESTINATION_CALLBACK:
        assert [e["outcome"] for e in entries[:2]] == ["callback", "callback"]
        code = callback_code(app, send_request(vendor, BAD[vendor]))
        assert code == INVALID_DESTINATION_CALLBACK[vendor]
    assert [e["rule"] is not None for e in entries] == [True, True, False]


async def test_yeastar_invalid_destination_names_the_field(app: App) -> None:
    await app.load(_file("yeastar", "invalid-destination"))
    resp = await app.send(send_request("yeastar", BAD["yeastar"]))
    body = await resp.json()
    assert body["invalid_param_list"] == [{"field": "callee", "value": BAD["yeastar"]}]
    message = _json(
        "yeastar",
        "POST",
        "/openapi/v1.0/message/send",
        {"channel": "twilio", "to": BAD["yeastar"], "msg_body": "hi"},
        query={"access_token": "library-token"},
    )
    body = await (await app.send(message)).json()
    assert body["errcode"] == 40002
    assert body["invalid_param_list"] == [{"field": "to", "value": BAD["yeastar"]}]


@pytest.mark.parametrize("vendor", _cases("delivery-failure-callback"))
async def test_delivery_failure_callback(app: App, vendor: str) -> None:
    await app.load(_file(vendor, "delivery-failure-callback"))
    for _ in range(4):
        await app.send(send_request(vendor))
    entries = await app.journal()
    assert [e["outcome"] for e in entries[:3]] == ["callback"] * 3
    assert len({e["rule"] for e in entries[:3]}) == 1
    assert entries[3]["rule"] is None  # spent after 3: later messages are delivered
    codes = [callback_code(app, send_request(vendor)) for _ in range(4)]
    assert codes == [*DELIVERY_FAILURE[vendor], None]


def with_status_url(req: Req, url: str) -> Req:
    """`req` naming `url` as its status callback / delivery notification URL."""
    if req.vendor == "signalwire":
        return replace(req, body=req.body + b"&" + urlencode({"StatusCallback": url}).encode())
    assert req.vendor == "webexconnect"
    return replace(req, body=json.dumps({**json.loads(req.body), "notifyurl": url}).encode())


def reported_code(vendor: str, content: bytes) -> str | None:
    """The failure code a status callback / delivery notification carries, if any."""
    if vendor == "signalwire":
        return dict(parse_qsl(content.decode())).get("ErrorCode")
    info = json.loads(content)["deliveryInfoNotification"]["deliveryInfo"]
    return None if info["code"] in ("7500", "7501", "7502") else str(info["code"])


CALLBACK_FILES = [
    *((v, "delivery-failure-callback", GOOD[v], codes) for v, codes in DELIVERY_FAILURE.items()),
    *((v, "invalid-destination", BAD[v], [c]) for v, c in INVALID_DESTINATION_CALLBACK.items()),
    *((v, "insufficient-funds", GOOD[v], [c]) for v, c in INSUFFICIENT_FUNDS_CALLBACK.items()),
]


@pytest.mark.parametrize(
    ("vendor", "situation", "to", "expected"),
    [pytest.param(*case, id=f"{case[0]}/{case[1]}") for case in CALLBACK_FILES],
)
async def test_callback_codes_reach_the_status_url(
    app: App,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    vendor: str,
    situation: str,
    to: str,
    expected: list[str],
) -> None:
    received: list[bytes] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.read())
        return web.Response(status=204)

    receiver = web.Application()
    receiver.router.add_post("/status", hook)
    url = str((await aiohttp_server(receiver)).make_url("/status"))
    await app.load(_file(vendor, situation))
    for _ in expected:
        await app.send(with_status_url(send_request(vendor, to), url))
    codes: list[str] = []
    for _ in range(100):  # the vendor's delivery delay (0.5 s by default); 10 s at most
        codes = sorted(c for c in (reported_code(vendor, b) for b in received) if c)
        if codes == sorted(expected):
            break
        await asyncio.sleep(0.1)
    assert codes == sorted(expected)


@pytest.mark.parametrize("vendor", _cases("insufficient-funds"))
async def test_insufficient_funds(app: App, vendor: str) -> None:
    await app.load(_file(vendor, "insufficient-funds"))
    for _ in range(3):
        await app.send(send_request(vendor))
    entries = await app.journal()
    assert [e["outcome"] for e in entries] == ["callback"] * 3
    assert callback_code(app, send_request(vendor)) == INSUFFICIENT_FUNDS_CALLBACK[vendor]


@pytest.mark.parametrize("vendor", _cases("outage-then-recovery"))
async def test_outage_then_recovery(app: App, vendor: str) -> None:
    await app.load(_file(vendor, "outage-then-recovery"))
    for code, status in OUTAGE[vendor]:
        await expect_error(vendor, await app.send(send_request(vendor)), code, status)
    for _ in range(2):
        await app.send(send_request(vendor))
    assert fired(await app.journal()) == [True, True, True, False, False]


@pytest.mark.parametrize("vendor", _cases("flapping"))
async def test_flapping_is_seeded_and_reproducible(
    new_app: Callable[[], Awaitable[App]], vendor: str
) -> None:
    code, status = FLAPPING[vendor]
    patterns = []
    for _ in range(2):  # two fresh servers: the same requests fail
        app = await new_app()
        await app.load(_file(vendor, "flapping"))
        answers = [await answer(await app.send(send_request(vendor))) for _ in range(30)]
        pattern = fired(await app.journal())
        for got in (a for a, hit in zip(answers, pattern, strict=True) if hit):
            check(vendor, got, code, status)
        patterns.append(pattern)
    assert patterns[0] == patterns[1]
    assert 2 <= sum(patterns[0]) <= 12  # about 20% of 30


@pytest.mark.parametrize("vendor", _cases("slow-responses"))
async def test_slow_responses_delay_the_first_two(app: App, vendor: str) -> None:
    await app.load(_file(vendor, "slow-responses"))
    engine = app.services.engine
    other = Req(vendor, "GET", send_request(vendor).path)
    assert engine.evaluate(other.snapshot()) is None  # only the send is slowed down
    delays = []
    for _ in range(3):
        decision = engine.evaluate(send_request(vendor).snapshot())
        if decision is not None:
            assert isinstance(decision.action, PassthroughAction)
        delays.append(decision.plan.delay if decision else None)
    assert delays == [15, 15, None]


@pytest.mark.parametrize("vendor", _cases("account-suspended"))
async def test_account_suspended_refuses_every_time(app: App, vendor: str) -> None:
    code, status = ACCOUNT_SUSPENDED[vendor]
    await app.load(_file(vendor, "account-suspended"))
    for _ in range(3):
        body = await expect_error(vendor, await app.send(suspended_request(vendor)), code, status)
    if vendor == "ringcentral":
        assert body["error"] == "invalid_grant"
        await app.send(send_request(vendor))  # resource calls are not what it refuses
        assert (await app.journal())[-1]["rule"] is None
    assert all(fired(await app.journal())[:3])


# ---- transport faults, seen by a real client ------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running


def _load_into(server: ServerThread, path: Path) -> str:
    session = f"library-{uuid.uuid4().hex[:8]}"
    resp = requests.post(
        f"{server.url}/__admin/scenarios",
        params={"session": session},
        data=path.read_bytes(),
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    return session


def _post(server: ServerThread, req: Req, session: str) -> requests.Response:
    return requests.request(
        req.method,
        server.url + req.url,
        data=req.body,
        params=req.query,
        headers={**req.headers, "X-Mock-Session": session},
        timeout=10,
    )


@pytest.mark.parametrize("vendor", _cases("connection-reset"))
def test_connection_reset_twice_then_answers(server: ServerThread, vendor: str) -> None:
    session = _load_into(server, _file(vendor, "connection-reset"))
    for _ in range(2):
        with pytest.raises(requests.ConnectionError):
            _post(server, send_request(vendor), session)
    resp = _post(server, send_request(vendor), session)
    assert resp.status_code > 0
    resp.json()  # a real answer again


@pytest.mark.parametrize("vendor", _cases("malformed-body"))
def test_malformed_body_once(server: ServerThread, vendor: str) -> None:
    session = _load_into(server, _file(vendor, "malformed-body"))
    resp = _post(server, send_request(vendor), session)
    assert resp.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.text)
    again = _post(server, send_request(vendor), session)
    again.json()  # only the first answer is broken
