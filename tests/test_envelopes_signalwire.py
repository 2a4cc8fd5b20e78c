"""SignalWire renderers: golden envelopes, families, sessions and what the official SDKs parse."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest
import requests
from signalwire.rest._base import HttpClient as SignalWireHttp
from signalwire.rest._base import SignalWireRestError
from signalwire.rest._request_options import RequestOptions
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.base.version import Version
from twilio.http import HttpClient as TwilioHttp
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client as TwilioClient

from mockserver.answers.rendered import RateInfo, RenderContext, Rendered, compact_json
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.signalwire import SignalWire
from mockserver.vendors.signalwire.envelope import numeric
from tests.goldens import GoldenKit

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "signalwire"
CATALOG_FILE = ROOT / "catalog" / "signalwire.yaml"
REQUEST_ID = "5f1c7a8e-0d2b-4c39-9a51-3e7d0c2b6f10"
PROJECT = "b3877c40-da60-4998-90ad-b792e98472af"
VENDOR = SignalWire()


KIT = GoldenKit(VENDOR, source="test")
make_entry = KIT.make_entry
golden_entry = KIT.case_entry  # the case's own entry, or the catalog's entry under "key"


def make_ctx(family: str = "compat", **fields: Any) -> RenderContext:
    return RenderContext(family=family, request_id=fields.pop("request_id", REQUEST_ID), **fields)


def render(entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    if entry.delivery == "async":
        return VENDOR.render_async(entry, ctx)
    return VENDOR.render_error(entry, ctx)


def form_of(rendered: Rendered) -> list[tuple[str, str]]:
    return parse_qsl(rendered.body.decode(), keep_blank_values=True)


def header(rendered: Rendered, name: str) -> str | None:
    found = [v for k, v in rendered.headers if k.lower() == name.lower()]
    return found[0] if found else None


# --- golden files ---------------------------------------------------------------------------


def golden_cases() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("path", golden_cases(), ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    case = json.loads(path.read_text())
    assert case["source"].strip(), "every golden case cites its evidence"
    entry = golden_entry(case)
    ctx = make_ctx(**case["context"])
    assert VENDOR.family_for(ctx.method, ctx.path) == ctx.family
    rendered = render(entry, ctx)
    if "status" in case:
        assert rendered.status == case["status"]
    assert rendered.content_type == case.get("content_type", "application/json")
    for name, value in case.get("headers", {}).items():
        actual = rendered.content_type if name.lower() == "content-type" else header(rendered, name)
        assert actual == value, name
    if "body" in case:
        assert rendered.body == compact_json(case["body"])
    if "body_form" in case:
        assert form_of(rendered) == list(case["body_form"].items())


def test_golden_set_covers_every_family_and_callback() -> None:
    cases = [json.loads(p.read_text()) for p in golden_cases()]
    families = {c["context"]["family"] for c in cases}
    assert families == set(VENDOR.families)
    assert any("body_form" in c for c in cases)


# --- families, sessions, defaults -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "family"),
    [
        (f"/2010-04-01/Accounts/{PROJECT}/Messages.json", "compat"),
        (f"/2010-04-01/Accounts/{PROJECT}/Calls", "compat"),
        (f"/api/laml/2010-04-01/Accounts/{PROJECT}/Messages.json", "compat"),
        (f"/api/laml/2010-04-01/Accounts/{PROJECT}/Messages", "compat"),
        ("/api/relay/rest/phone_numbers", "relay"),
        ("/api/relay/rest", "relay"),
        ("/api/rest/applications", "relay"),
        ("/api/messaging/messages", "rest"),
        ("/api/fabric/resources/ai_agents", "rest"),
        ("/api/relay", "rest"),
        ("/api", "rest"),
        ("/", "compat"),
        ("/unknown/thing", "compat"),
        ("/apiary", "compat"),
    ],
)
def test_family_for(path: str, family: str) -> None:
    assert VENDOR.family_for("POST", path) == family


def test_families_and_keys() -> None:
    assert VENDOR.name == "signalwire"
    assert VENDOR.families[0] == "compat"
    assert (VENDOR.not_found_key, VENDOR.rate_limit_key) == ("20404", "20429")
    assert VENDOR.success_headers(make_ctx()) == (("X-Request-Id", REQUEST_ID),)


def snapshot(path: str = "/", headers: dict[str, str] | None = None, **kw: Any) -> RequestSnapshot:
    return RequestSnapshot(vendor="signalwire", method="POST", path=path, headers=headers, **kw)


def basic(user: str, password: str = "PTtoken") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_session_is_basic_username_first() -> None:
    snap = snapshot(f"/2010-04-01/Accounts/{PROJECT}/Messages.json", basic("other-project"))
    assert VENDOR.session_of(snap) == "other-project"


@pytest.mark.parametrize(
    "path",
    [
        f"/2010-04-01/Accounts/{PROJECT}/Messages.json",
        f"/api/laml/2010-04-01/Accounts/{PROJECT}/Calls",
        f"/2010-04-01/Accounts/{PROJECT}.json",
    ],
)
def test_session_falls_back_to_account_sid_in_path(path: str) -> None:
    assert VENDOR.session_of(snapshot(path)) == PROJECT


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer sat-token"}, {"Authorization": "Basic !!!"}]
)
def test_session_none_without_project(headers: dict[str, str]) -> None:
    assert VENDOR.session_of(snapshot("/api/messaging/messages", headers)) is None


def test_default_params_from_compat_form() -> None:
    snap = snapshot(
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"To=%2B15550002222&From=%2B15550001111&Body=hi",
    )
    values = VENDOR.default_params(
        make_entry(key="1", code="1", message="m", http_status=400), snap
    )
    assert values == {"From": "+15550001111", "To": "+15550002222", "Body": "hi"}


def test_default_params_from_rest_json() -> None:
    snap = snapshot(
        headers={"Content-Type": "application/json"}, body=b'{"to": "+15550002222", "from": "x"}'
    )
    values = VENDOR.default_params(
        make_entry(key="1", code="1", message="m", http_status=400), snap
    )
    assert values == {"From": "x", "To": "+15550002222"}


# --- renderer details -------------------------------------------------------------------------

AUTH = make_entry(key="20003", code="20003", message="Permission Denied", http_status=401)
INVALID_TO = make_entry(
    key="21211", code="21211", message="Invalid Called Phone Number", http_status=400
)
LIMIT = make_entry(
    key="20429", code="20429", message="Too Many Requests", http_status=429, tags=["rate-limit"]
)


def test_status_override_reaches_body_and_line() -> None:
    rendered = VENDOR.render_error(AUTH, make_ctx(status=403))
    assert rendered.status == 403
    assert rendered.json()["status"] == 403


def test_rate_info_retry_after_is_used() -> None:
    ctx = make_ctx(rate=RateInfo(limit=10, remaining=0, window=10, retry_after=7))
    assert header(VENDOR.render_error(LIMIT, ctx), "Retry-After") == "7"


def test_no_invented_rate_limit_headers() -> None:
    ctx = make_ctx(rate=RateInfo(limit=10, remaining=0, window=10))
    names = {k.lower() for k, _ in VENDOR.render_error(LIMIT, ctx).headers}
    assert names == {"x-request-id", "retry-after"}


def test_retry_after_on_503_only_when_asked() -> None:
    down = make_entry(key="20503", code="20503", message="Service unavailable", http_status=503)
    assert header(VENDOR.render_error(down, make_ctx()), "Retry-After") is None
    assert header(VENDOR.render_error(down, make_ctx(retry_after=3)), "Retry-After") == "3"


def test_rest_non_validation_entry_keeps_catalog_status() -> None:
    conflict = make_entry(
        key="21452", code="21452", message="Conflict", http_status=409, tags=["conflict"]
    )
    body = VENDOR.render_error(conflict, make_ctx("rest")).json()
    assert body["errors"][0]["type"] == "api_error"
    assert VENDOR.render_error(conflict, make_ctx("rest")).status == 409


def test_relay_title_for_other_statuses_is_reason_phrase() -> None:
    rendered = VENDOR.render_error(LIMIT, make_ctx("relay"))
    assert rendered.json()["errors"][0]["title"] == "Too Many Requests"


@pytest.mark.parametrize(
    ("code", "status"),
    [("30003", "undelivered"), ("30007", "undelivered"), ("30001", "failed"), ("30010", "failed")],
)
def test_message_status_per_code_class(code: str, status: str) -> None:
    entry = make_entry(key=code, code=code, message="m", http_status=200, delivery="async")
    form = dict(form_of(VENDOR.render_async(entry, make_ctx())))
    assert form["MessageStatus"] == status
    assert form["ErrorCode"] == code


@pytest.mark.parametrize("code", ["13224", "31005", "32011"])
def test_voice_codes_use_call_callback(code: str) -> None:
    entry = make_entry(key=code, code=code, message="m", http_status=200, delivery="async")
    form = dict(form_of(VENDOR.render_async(entry, make_ctx())))
    assert form["CallStatus"] == "failed"
    assert "MessageSid" not in form
    assert "SipResultCode" not in form


def test_callback_is_deterministic() -> None:
    entry = make_entry(key="30005", code="30005", message="m", http_status=200, delivery="async")
    ctx = make_ctx(path=f"/2010-04-01/Accounts/{PROJECT}/Messages.json")
    assert VENDOR.render_async(entry, ctx) == VENDOR.render_async(entry, ctx)


# --- official SDKs parse our answers ----------------------------------------------------------


class RenderedTwilioHttp(TwilioHttp):
    """A twilio HttpClient that answers every request with one rendered mock answer."""

    def __init__(self, rendered: Rendered) -> None:
        super().__init__(logger=None, is_async=False)
        self.rendered = rendered
        self.paths: list[str] = []

    def request(self, method: str, uri: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        self.paths.append(urlparse(uri).path)
        return TwilioResponse(
            self.rendered.status, self.rendered.body.decode(), dict(self.rendered.headers)
        )


@pytest.mark.parametrize("entry", [AUTH, INVALID_TO, LIMIT], ids=lambda e: e.key)
def test_twilio_version_exception_reads_code_status_message(entry: CatalogEntry) -> None:
    rendered = VENDOR.render_error(entry, make_ctx())
    response = TwilioResponse(rendered.status, rendered.body.decode())
    exc = Version.exception("POST", "/Messages.json", response, "Unable to create record")
    assert isinstance(exc, TwilioRestException)
    assert not isinstance(exc, TwilioServiceException)
    assert (exc.code, exc.status) == (int(entry.code), entry.http_status)
    assert exc.msg == f"Unable to create record: {entry.message}"


def test_twilio_client_end_to_end_on_compat_path() -> None:
    http = RenderedTwilioHttp(VENDOR.render_error(INVALID_TO, make_ctx()))
    client = TwilioClient(PROJECT, "PTtoken", http_client=http)
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to="+1555", from_="+15550001111", body="hi")
    assert (caught.value.code, caught.value.status) == (21211, 400)
    assert "Invalid Called Phone Number" in caught.value.msg
    # the path twilio-python (as used by the signalwire 2.x SDK) requests is a compat path
    assert [VENDOR.family_for("POST", p) for p in http.paths] == ["compat"]


def requests_response(rendered: Rendered) -> requests.Response:
    response = requests.Response()
    response.status_code = rendered.status
    response._content = rendered.body
    response.headers.update({"Content-Type": rendered.content_type, **dict(rendered.headers)})
    return response


def signalwire_client(answers: list[Rendered], sleeps: list[float]) -> SignalWireHttp:
    client = SignalWireHttp(PROJECT, "PTtoken", "127.0.0.1:9")
    queue = iter(answers)
    client._session.request = lambda *a, **k: requests_response(next(queue))  # type: ignore[method-assign]
    client._sleep = sleeps.append  # type: ignore[method-assign,assignment]
    return client


def test_signalwire_sdk_keeps_body_and_request_id() -> None:
    rendered = VENDOR.render_error(INVALID_TO, make_ctx("rest", params={"attribute": "to"}))
    client = signalwire_client([rendered], [])
    with pytest.raises(SignalWireRestError) as caught:
        client.post("/api/messaging/messages", {"to": "+1555"})
    assert caught.value.status_code == 422
    assert caught.value.body == rendered.json()
    assert caught.value.request_id == REQUEST_ID


def test_signalwire_sdk_honours_retry_after_on_429() -> None:
    limited = VENDOR.render_error(LIMIT, make_ctx("rest", retry_after=4))
    invalid = VENDOR.render_error(INVALID_TO, make_ctx("rest"))
    sleeps: list[float] = []
    client = signalwire_client([limited, invalid], sleeps)
    with pytest.raises(SignalWireRestError) as caught:
        client.post("/api/calling/calls", {}, request_options=RequestOptions(retries=1))
    assert sleeps == [4.0]
    assert caught.value.status_code == 422


# --- the whole catalog ------------------------------------------------------------------------


def catalog_entries() -> list[CatalogEntry]:
    return list(load_vendor_file(CATALOG_FILE).entries) if CATALOG_FILE.exists() else []


REST_ITEM = {"type", "code", "message", "attribute", "url"}
RELAY_ITEM = {"detail", "status", "title", "code"}


def assert_api_shape(body: dict[str, Any], keys: set[str], code: str) -> None:
    if set(body) == {"error"}:
        assert isinstance(body["error"], str)
        return
    (item,) = body["errors"]
    assert set(item) == keys
    assert item["code"] == code


@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e.key)
def test_every_catalog_entry_renders(entry: CatalogEntry) -> None:
    if entry.delivery == "async":
        form = dict(form_of(VENDOR.render_async(entry, make_ctx())))
        assert form["ErrorCode"] == entry.code
        assert form.get("MessageStatus", form.get("CallStatus")) in {"failed", "undelivered"}
        return
    compat = VENDOR.render_error(entry, make_ctx())
    body = compat.json()
    assert body == {
        "code": numeric(entry.code),
        "message": body["message"],
        "more_info": body["more_info"],
        "status": compat.status,
    }
    assert header(compat, "X-Request-Id") == REQUEST_ID
    assert_api_shape(VENDOR.render_error(entry, make_ctx("rest")).json(), REST_ITEM, entry.code)
    assert_api_shape(VENDOR.render_error(entry, make_ctx("relay")).json(), RELAY_ITEM, entry.code)


def test_catalog_has_the_not_found_and_rate_limit_keys() -> None:
    if not CATALOG_FILE.exists():
        pytest.skip("catalog/signalwire.yaml not generated yet")
    catalog = load_vendor_file(CATALOG_FILE)
    limit = catalog.get(VENDOR.rate_limit_key)
    assert limit is not None
    assert limit.http_status == 429
    rendered = VENDOR.render_not_found(catalog, make_ctx(path="/nope"))
    assert (rendered.status, rendered.json()["code"]) == (404, 20404)
