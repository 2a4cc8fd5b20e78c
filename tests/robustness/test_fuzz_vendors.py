"""Garbage in, vendor-shaped answers out: random requests to every vendor never crash it."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import re
import string
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import pytest
from aiohttp import ClientTimeout
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict
from yarl import URL

from mockserver.answers.faults import FAULT_TYPES
from mockserver.catalog import Catalog
from mockserver.server.app import create_app
from mockserver.server.services import build_services
from mockserver.settings import Settings
from mockserver.vendors import VENDORS

T = TypeVar("T")
MAX_BODY = 1_048_576
REQUEST_TIMEOUT = 15.0
# MOCKSERVER_FUZZ_EXAMPLES=5000 for a deeper (nightly) hunt; CI keeps the suite quick
EXAMPLES = int(os.environ.get("MOCKSERVER_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
# the keys each vendor's error envelope always has one of (docs/vendors/*.md)
SHAPES = {
    "ringcentral": ("errorCode", "error"),
    "yeastar": ("errcode",),
    "signalwire": ("code", "errors", "error"),
    "fonedynamics": ("ResponseStatus",),
    "webexconnect": ("response", "code"),
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


# ---- the server, driven synchronously so hypothesis can drive it ---------------------------


@dataclass
class Answer:
    """What came back for one request."""

    status: int
    headers: CIMultiDict[str]
    body: bytes


class Fuzzed:
    """A full app behind aiohttp's TestServer/TestClient, on a loop of its own."""

    def __init__(self, catalog: Catalog, **settings: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.services = build_services(Settings(watch_interval=0, **settings), catalog)
        self.client: TestClient = self.run(self._start())
        self.crashes: list[logging.LogRecord] = []
        self._watch = _Collect(self.crashes)
        logging.getLogger("aiohttp.server").addHandler(self._watch)

    async def _start(self) -> TestClient:
        client = TestClient(TestServer(create_app(self.services.settings, self.services)))
        await client.start_server()
        return client

    def run(self, coro: Awaitable[T]) -> T:
        return self.loop.run_until_complete(coro)

    def request(
        self, method: str, url: str | URL, headers: Any = None, body: bytes | None = None
    ) -> Answer:
        # big bytes go as a stream: aiohttp warns that one write of them blocks the loop
        data = io.BytesIO(body) if body is not None and len(body) > 65536 else body

        async def go() -> Answer:
            # nothing here may take long: a hang would stall hypothesis' shrinking for minutes
            timeout = ClientTimeout(total=REQUEST_TIMEOUT)
            async with self.client.request(
                method, url, headers=headers, data=data, timeout=timeout
            ) as resp:
                return Answer(resp.status, CIMultiDict(resp.headers), await resp.read())

        return self.run(go())

    def raw(self, data: bytes) -> bytes:
        """Send bytes as they are; the whole answer (the request must ask Connection: close)."""

        async def go() -> bytes:
            reader, writer = await asyncio.open_connection(self.client.host, self.client.port)
            writer.write(data)
            answer = await asyncio.wait_for(reader.read(), 30)
            writer.close()
            await writer.wait_closed()
            return answer

        return self.run(go())

    def healthy(self) -> bool:
        return self.request("GET", "/__admin/health").status == 200

    def close(self) -> None:
        logging.getLogger("aiohttp.server").removeHandler(self._watch)
        self.run(self.client.close())
        self.loop.close()


class _Collect(logging.Handler):
    """Keeps aiohttp's "Error handling request" records: an exception escaped a handler."""

    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        # aiohttp also logs requests its HTTP parser refused (answered 400): not a crash
        if not (record.exc_info and isinstance(record.exc_info[1], HttpProcessingError)):
            self.into.append(record)


@pytest.fixture(scope="module")
def fuzzed(catalog: Catalog) -> Iterator[Fuzzed]:
    server = Fuzzed(catalog, max_body=MAX_BODY)
    yield server
    assert server.healthy()
    server.close()


# ---- what every answer must look like ------------------------------------------------------


def catalogued_5xx(catalog: Catalog, vendor: str) -> set[int]:
    return {e.http_status for e in catalog.vendor(vendor) if e.http_status >= 500}


def status_override(headers: CIMultiDict[str]) -> bool:
    value = headers.get("X-Mock-Error-Status", "").strip()
    return "X-Mock-Error" in headers and value.isascii() and value.isdigit()


def check(
    fuzzed: Fuzzed,
    vendor: str,
    method: str,
    sent: CIMultiDict[str],
    answer: Answer,
    path: str = "",
) -> None:
    """The answer is vendor-shaped (or the documented X-Mock-Server-Error JSON), never a crash."""
    assert not fuzzed.crashes, logging.Formatter().format(fuzzed.crashes[0])
    if answer.headers.get("X-Mock-Server-Error") == "true":
        assert answer.status == 400
        if method != "HEAD":
            assert {"error", "message"} <= json.loads(answer.body).keys()
        return
    if answer.status >= 500:
        allowed = catalogued_5xx(fuzzed.services.catalog, vendor)
        assert answer.status in allowed or status_override(sent), answer
    if method == "HEAD" or answer.status in (204, 304):
        return
    if bodiless_404(vendor, method, path, sent) and answer.status == 404 and not answer.body:
        return
    json_answer = "json" in answer.headers.get("Content-Type", "")
    if answer.status >= 400 or "X-Mock-Error" in sent or (vendor == "yeastar" and json_answer):
        data = json.loads(answer.body)
        assert isinstance(data, dict), answer
        assert any(key in data for key in SHAPES[vendor]), (vendor, answer)


def bodiless_404(vendor: str, method: str, path: str, sent: CIMultiDict[str]) -> bool:
    """Webex Connect's Get SMS answers an unknown message id with an empty 404 (documented)."""
    return (
        vendor == "webexconnect"
        and method == "GET"
        and re.fullmatch(r"/v1/sms/messages/[^/]+", path) is not None
        and "X-Mock-Error" not in sent
    )


# ---- strategies ----------------------------------------------------------------------------

# header values: printable, no CR/LF (the client refuses those), any Unicode
header_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=25,
)
FIELD_NAMES = [
    "To",
    "From",
    "Body",
    "StatusCallback",
    "to",
    "from",
    "text",
    "message",
    "key",
    "password",
    "username",
    "grant_type",
    "Schedule",
    "destination",
    "caller",
    "callee",
    "MediaUrl",
]
form_pairs = st.lists(
    st.tuples(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), st.text(max_size=30)), max_size=8
)
CONTENT_TYPES = [
    None,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/xml",
    "multipart/form-data",  # no boundary
    "application/json; charset=utf-16",
    "application/x-www-form-urlencoded; charset=latin-1",
    "garbage/\u00e9",
]


def mock_headers(catalog: Catalog, vendor: str) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Random X-Mock-* headers; never a real fault or a long delay (the test would wait)."""
    codes = [e.key for e in catalog.vendor(vendor)]
    error = st.sampled_from(codes) | header_text
    number = st.integers(-5, 1000).map(str) | header_text
    fault = header_text.filter(lambda v: v.strip().lower() not in FAULT_TYPES)
    delay = st.sampled_from(["0", "0.01", "-1", "301", "nan", "inf", "1e999", "", "abc", "0x10"])
    options = {
        "X-Mock-Error": error,
        "X-Mock-Error-Params": header_text | st.just("name=value; other=x=y"),
        "X-Mock-Error-Status": number,
        "X-Mock-Retry-After": number,
        "X-Mock-Fault": fault,
        "X-Mock-Delay": delay,
        "X-Mock-Session": header_text,
    }
    pair = st.sampled_from(sorted(options)).flatmap(
        lambda name: options[name].map(lambda v: (name, v))
    )
    return st.lists(pair, max_size=4)


CREDENTIALS = [
    ("Authorization", "Basic NmIxZjNkMmUtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDBhYmNkOlBULXRva2Vu"),
    ("Authorization", "Bearer not-a-token"),
    ("Authorization", "Basic !!!notbase64"),
    ("key", "webex-service-key"),
    ("Content-Length", "5"),  # a lie: aiohttp's client replaces it, the raw tests keep it
]
odd_headers = st.lists(
    st.sampled_from(CREDENTIALS)
    | st.tuples(
        st.sampled_from(
            [
                "Accept",
                "Accept-Encoding",
                "Content-Encoding",
                "Transfer-Encoding-X",
                "X-Forwarded-For",
                "Cookie",
            ]
        ),
        header_text,
    ),
    max_size=4,
)


@st.composite
def vendor_paths(draw: st.DrawFn, vendor: str) -> str:
    """A path that matches one of the vendor's happy routes, or random segments."""
    router = VENDORS[vendor].router()
    if router is not None and draw(st.booleans()):
        route = draw(st.sampled_from(router.routes))
        path = str(draw(st.from_regex(route.pattern, fullmatch=True)))
    else:
        path = "/" + "/".join(draw(st.lists(st.text(max_size=12), max_size=6)))
    return path


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str | None, bytes | None]:
    """(content type, body): random bytes, JSON, forms, odd encodings."""
    kind = draw(
        st.sampled_from(["none", "bytes", "json", "form", "latin1", "utf16", "invalid-utf8"])
    )
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    if kind == "none":
        return content_type, None
    if kind == "bytes":
        return content_type, draw(st.binary(max_size=2048))
    if kind == "json":
        return content_type or "application/json", json.dumps(draw(json_values)).encode()
    pairs = draw(form_pairs)
    if kind == "form":
        return content_type or "application/x-www-form-urlencoded", urlencode(pairs).encode()
    text = json.dumps(dict(pairs), ensure_ascii=False)
    if kind == "latin1":
        return "application/json; charset=latin-1", text.encode("latin-1", "replace")
    if kind == "utf16":
        return "application/json; charset=utf-16", text.encode("utf-16")  # with a BOM
    return content_type, text.encode() + b"\xff\xfe\xc3(" + text.encode()


def with_vendor(build: Callable[[str], st.SearchStrategy[T]]) -> st.SearchStrategy[tuple[str, T]]:
    return st.sampled_from(sorted(VENDORS)).flatmap(lambda v: build(v).map(lambda x: (v, x)))


def url_for(vendor: str, path: str) -> URL:
    return URL(f"/{vendor}" + quote(path, safe="/~"), encoded=True)


# ---- the fuzzers ---------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_random_requests_get_vendor_shaped_answers(fuzzed: Fuzzed, data: st.DataObject) -> None:
    vendor = data.draw(st.sampled_from(sorted(VENDORS)))
    method = data.draw(st.sampled_from(METHODS))
    path = data.draw(vendor_paths(vendor))
    content_type, body = data.draw(bodies())
    headers = CIMultiDict(data.draw(odd_headers))
    headers.extend(data.draw(mock_headers(fuzzed.services.catalog, vendor)))
    headers.popall("Content-Length", None)
    if content_type:
        headers["Content-Type"] = content_type
    answer = fuzzed.request(method, url_for(vendor, path), headers, body)
    check(fuzzed, vendor, method, headers, answer, path)


@FUZZ
@given(data=st.data())
def test_random_mock_headers_are_served_or_rejected_as_json(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    vendor = data.draw(st.sampled_from(sorted(VENDORS)))
    headers = CIMultiDict(data.draw(mock_headers(fuzzed.services.catalog, vendor).filter(bool)))
    method = data.draw(st.sampled_from(["GET", "POST"]))
    answer = fuzzed.request(method, f"/{vendor}/some/path", headers)
    check(fuzzed, vendor, method, headers, answer)


@FUZZ
@given(
    vendor=st.sampled_from(sorted(VENDORS)),
    segments=st.lists(
        st.sampled_from(
            [
                "..",
                ".",
                "%2e%2e",
                "%2F",
                "%00",
                "~",
                "%25",
                "a%20b",
                "%ff",
                "%C3%A9",
                ";x=1",
                "__admin",
            ]
        )
        | st.text(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@", max_size=30),
        max_size=12,
    ),
    query=st.lists(st.tuples(st.text(max_size=10), st.text(max_size=20)), max_size=4),
)
def test_raw_odd_paths_stay_inside_the_vendor(
    fuzzed: Fuzzed, vendor: str, segments: list[str], query: list[tuple[str, str]]
) -> None:
    """Dot segments and percent-encodings as sent on the wire (no client normalises them)."""
    target = f"/{vendor}/" + "/".join(segments)
    if query:
        target += "?" + urlencode(query)
    raw = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    head, _, body = fuzzed.raw(raw).partition(b"\r\n\r\n")
    status = int(head.split()[1])
    assert not fuzzed.crashes
    assert status < 500 or status in catalogued_5xx(fuzzed.services.catalog, vendor)
    if status >= 400:
        assert b"application/json" in head, head  # the vendor answered, not aiohttp's router
        assert any(key in json.loads(body) for key in (*SHAPES[vendor], "error"))


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_very_long_paths_and_headers(fuzzed: Fuzzed, vendor: str) -> None:
    for size in (1000, 4000, 7000):
        answer = fuzzed.request("GET", url_for(vendor, "/" + "a" * size))
        check(fuzzed, vendor, "GET", CIMultiDict(), answer)
    # past aiohttp's 8190-byte line limit the HTTP parser refuses it: a 4xx, never a crash
    raw = f"GET /{vendor}/{'a' * 20000} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    assert fuzzed.raw(raw).split()[1] in (b"400", b"414", b"431")
    raw = f"GET /{vendor}/x HTTP/1.1\r\nHost: x\r\nX-Big: {'b' * 20000}\r\nConnection: close\r\n\r\n".encode()
    assert fuzzed.raw(raw).split()[1] in (b"400", b"431")
    assert fuzzed.healthy()


RAW_HEADERS = [
    b"Content-Type: application/json\r\nContent-Type: text/plain\r\n",
    b"X-Mock-Error: nope\r\nX-Mock-Error: also-nope\r\n",
    b"Authorization: Bearer \xff\xfe\r\n",
    b"X-Mock-Session: \xc3\x28\r\n",
    b"key: \x80\x81\r\n",
    b"Content-Type: application/json; charset=\xff\r\n",
    b"X-Mock-Delay: \xff\r\n",
]


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("extra", RAW_HEADERS)
def test_duplicated_and_non_utf8_headers(fuzzed: Fuzzed, vendor: str, extra: bytes) -> None:
    body = b'{"to": "+15550100001"}'
    raw = (
        f"POST /{vendor}/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )
    head, _, answer = fuzzed.raw(raw).partition(b"\r\n\r\n")
    status = int(head.split()[1])
    assert not fuzzed.crashes
    assert status < 500
    if b"application/json" in head:
        assert json.loads(answer)
    else:  # refused by aiohttp's HTTP parser before any handler ran (duplicate Content-Type)
        assert status == 400


# ---- sizes and nesting ---------------------------------------------------------------------


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_bodies_up_to_and_over_max_body(fuzzed: Fuzzed, vendor: str) -> None:
    too_large = VENDORS[vendor].too_large_key
    for size in (MAX_BODY - 1, MAX_BODY, MAX_BODY + 1, 3 * MAX_BODY):
        body = b'{"a":"' + b"x" * (size - 8) + b'"}'
        answer = fuzzed.request("POST", f"/{vendor}/x", {"Content-Type": "application/json"}, body)
        check(fuzzed, vendor, "POST", CIMultiDict(), answer)
        data = json.loads(answer.body)
        assert (too_large in json.dumps(data)) == (len(body) > MAX_BODY), (size, data)


NESTED = {
    "10k-unclosed-arrays": b"[" * 10_000,
    "10k-closed-arrays": b"[" * 10_000 + b"]" * 10_000,
    "10k-objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "100k-arrays": b"[" * 100_000,
    "shallow-400": b"[" * 400 + b"]" * 400,
    # parseable (json.loads stops near 1,000 levels) yet deep: redaction must not recurse
    "900-closed-arrays": b"[" * 900 + b"]" * 900,
    "600-objects": b'{"a":' * 600 + b"1" + b"}" * 600,
}


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("body", [pytest.param(v, id=k) for k, v in NESTED.items()])
def test_deeply_nested_bodies(fuzzed: Fuzzed, vendor: str, body: bytes) -> None:
    fuzzed.crashes.clear()
    answer = fuzzed.request("POST", f"/{vendor}/x", {"Content-Type": "application/json"}, body)
    check(fuzzed, vendor, "POST", CIMultiDict(), answer)
    fuzzed.crashes.clear()


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("header", ["X-Mock-Error-Status", "X-Mock-Retry-After"])
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "0429", " 429 ", "1e3", "-0"])
def test_unicode_digits_in_integer_headers(
    fuzzed: Fuzzed, vendor: str, header: str, value: str
) -> None:
    fuzzed.crashes.clear()
    sync_code = next(e.key for e in fuzzed.services.catalog.vendor(vendor) if e.delivery == "sync")
    headers = CIMultiDict({"X-Mock-Error": sync_code, header: value})
    answer = fuzzed.request("GET", f"/{vendor}/x", headers)
    check(fuzzed, vendor, "GET", headers, answer)
    fuzzed.crashes.clear()


@pytest.mark.parametrize("status", ["100", "101", "105", "199"])
def test_informational_status_override_is_refused(fuzzed: Fuzzed, status: str) -> None:
    raw = (
        "GET /webexconnect/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"X-Mock-Error: 7003\r\nX-Mock-Error-Status: {status}\r\n\r\n"
    ).encode()
    head = fuzzed.raw(raw).split(b"\r\n", 1)[0]
    # a 1xx is an interim answer: clients would wait forever for the final one
    assert head.startswith(b"HTTP/1.1 400 "), head


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_newline_in_path_gets_the_vendor_not_found(fuzzed: Fuzzed, vendor: str) -> None:
    answer = fuzzed.request("GET", URL(f"/{vendor}/a%0Ab", encoded=True))
    check(fuzzed, vendor, "GET", CIMultiDict(), answer)


def test_server_keeps_serving(fuzzed: Fuzzed) -> None:
    assert fuzzed.healthy()
    for vendor in VENDORS:
        assert fuzzed.request("GET", f"/{vendor}/x").status < 500
