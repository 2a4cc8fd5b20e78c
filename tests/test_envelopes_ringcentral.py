"""RingCentral renderers: golden captures, Jackson formatting, families, headers and defaults."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from mockserver.answers.rendered import RateInfo, RenderContext
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.ringcentral import RingCentral
from mockserver.vendors.ringcentral.envelope import jackson_json, oauth_error, rate_group
from tests.goldens import GoldenKit, header_map

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog" / "ringcentral.yaml"
VENDOR = RingCentral()
OAU_140_WIRE = (
    '{\n  "error" : "invalid_grant",\n  "errors" : [ {\n    "errorCode" : "OAU-140",\n'
    '    "message" : "Invalid resource owner credentials"\n  } ],\n'
    '  "error_description" : "Invalid resource owner credentials"\n}'
)


KIT = GoldenKit(RingCentral(), status={"origin": "documented", "rule": "golden"})
make_entry = KIT.make_entry
make_context = KIT.make_context
one_entry_catalog = KIT.one_entry_catalog
case_entry = KIT.case_entry
render_case = KIT.render_case


@pytest.mark.parametrize("path", KIT.paths(), ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    KIT.check(path)


def test_oau_140_is_the_captured_199_bytes() -> None:
    entry = make_entry(
        code="OAU-140", message="Invalid resource owner credentials", http_status=401
    )
    rendered = VENDOR.render_error(
        entry, RenderContext(family="oauth", path="/restapi/oauth/token")
    )
    assert rendered.body == OAU_140_WIRE.encode()
    assert len(rendered.body) == 199


def test_jackson_layout() -> None:
    value = {"a": [], "b": {}, "c": [{"x": 1}, {"y": None}], "d": [1, "é"], "e": True}
    assert jackson_json(value) == (
        '{\n  "a" : [ ],\n  "b" : { },\n  "c" : [ {\n    "x" : 1\n  }, {\n    "y" : null\n  } ],\n'
        '  "d" : [ 1, "é" ],\n  "e" : true\n}'
    )


def test_jackson_writes_values_as_json_dumps_does_without_an_encoder_per_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd_key, nested_key = "é\u2028", "ä"
    items = ['ü\n"', 2.5, float("nan"), float("-inf"), 10**30, False, None, ("t", 1)]
    value = {odd_key: items, "k": {nested_key: "\ud800"}}
    # what the printer wrote when it called json.dumps per key and per value
    keys = json.dumps(odd_key), json.dumps(nested_key)
    values = ", ".join(json.dumps(v, ensure_ascii=False) for v in items)
    built: list[object] = []
    real = json.JSONEncoder.__init__

    def counting(self: json.JSONEncoder, **kw: object) -> None:
        built.append(self)
        real(self, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(json.JSONEncoder, "__init__", counting)
    text = jackson_json(value)
    assert built == []
    assert f"{keys[0]} : [ {values} ]" in text
    assert f'{keys[1]} : "\ud800"' in text


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/restapi/oauth/token", "oauth"),
        ("/restapi/oauth/revoke", "oauth"),
        ("/restapi/v1.0/account/~/extension/~/sms", "rest"),
        ("/restapi/v2/accounts/~/extensions", "rest"),
        ("/scim/v2/Users", "rest"),
        ("/analytics/calls/v1/accounts/~/aggregation/fetch", "analytics"),
        ("/team-messaging/v1/chats", "rest"),
        ("/ai/audio/v1/async/speech-to-text", "rest"),
        ("/rcvideo/v2/bridges", "rest"),
        ("/webinar/configuration/v1/webinars", "rest"),
        ("/", "gateway"),
        ("/restapi", "gateway"),
        ("/nothing/here", "gateway"),
    ],
)
def test_family_for(path: str, family: str) -> None:
    assert VENDOR.family_for("GET", path) == family


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/restapi/oauth/token", "auth"),
        ("/restapi/v1.0/account/~/extension/~/sms", "medium"),
        ("/restapi/v1.0/account/~/extension/~/ring-out", "heavy"),
        ("/restapi/v1.0/account/~/extension/~/call-log", "heavy"),
        ("/restapi/v1.0/account/~/extension/~/message-store", "light"),
    ],
)
def test_rate_group(path: str, group: str) -> None:
    assert rate_group(path) == group


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("OAU-140", "invalid_grant"),
        ("OAU-210", "invalid_grant"),
        ("OAU-123", "invalid_client"),
        ("OAU-153", "invalid_client"),
        ("OAU-251", "unauthorized_client"),
        ("OAU-112", "unauthorized_client"),
        ("OAU-111", "invalid_request"),
        ("CMN-101", "invalid_request"),
    ],
)
def test_oauth_error(code: str, error: str) -> None:
    assert oauth_error(code) == error


def test_oauth_status_keeps_throttling_and_outages_and_obeys_override() -> None:
    ctx = RenderContext(family="oauth", path="/restapi/oauth/token")
    throttled = make_entry(code="CMN-301", message="Request rate exceeded", http_status=429)
    outage = make_entry(code="CMN-201", message="Service Temporary Unavailable", http_status=503)
    grant = make_entry(
        code="OAU-140", message="Invalid resource owner credentials", http_status=401
    )
    assert VENDOR.render_error(throttled, ctx).status == 429
    assert VENDOR.render_error(outage, ctx).status == 503
    assert VENDOR.render_error(grant, ctx).status == 400
    override = RenderContext(family="oauth", path="/restapi/oauth/token", status=401)
    assert VENDOR.render_error(grant, override).status == 401


def test_retry_after_on_503_only_when_given() -> None:
    entry = make_entry(code="CMN-201", message="Service Temporary Unavailable", http_status=503)
    plain = header_map(VENDOR.render_error(entry, RenderContext(family="rest")))
    given = header_map(VENDOR.render_error(entry, RenderContext(family="rest", retry_after=5)))
    assert "retry-after" not in plain
    assert given["retry-after"] == "5"


def test_rate_info_wins_over_group_default() -> None:
    rate = RateInfo(limit=1000, remaining=999, window=60, group="light")
    ctx = RenderContext(family="rest", path="/restapi/v1.0/account/~/extension/~/sms", rate=rate)
    headers = dict(VENDOR.success_headers(ctx))
    assert headers["X-Rate-Limit-Group"] == "light"
    assert headers["X-Rate-Limit-Limit"] == "1000"
    assert headers["X-Rate-Limit-Remaining"] == "999"


def test_success_headers_per_family() -> None:
    rest = dict(VENDOR.success_headers(RenderContext(family="rest", request_id="r-1")))
    token = dict(VENDOR.success_headers(RenderContext(family="oauth", path="/restapi/oauth/token")))
    assert rest["RCRequestId"] == "r-1"
    assert rest["Content-Language"] == "en-US"
    assert "Pragma" not in rest
    assert token["Pragma"] == "no-cache"
    assert token["Cache-Control"] == "no-store"
    assert token["X-Rate-Limit-Group"] == "auth"


def test_rest_attributes_only_when_known() -> None:
    entry = make_entry(code="CMN-103", message="JSON can't be parsed.", http_status=400)
    body = VENDOR.render_error(entry, RenderContext(family="rest")).json()
    assert body == {
        "errorCode": "CMN-103",
        "message": "JSON can't be parsed.",
        "errors": [{"errorCode": "CMN-103", "message": "JSON can't be parsed."}],
    }


def test_async_is_deterministic() -> None:
    entry = make_entry(code="SMS-RC-413", message="failed", http_status=200, delivery="async")
    ctx = RenderContext(family="rest", request_id="abc")
    first, second = VENDOR.render_async(entry, ctx), VENDOR.render_async(entry, ctx)
    assert first == second
    assert first.json()["body"]["deliveryErrorCode"] == "SMS-RC-413"
    assert "Validation-Token" not in dict(first.headers)


def basic(user: str, secret: str = "s") -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.mark.parametrize(
    ("authorization", "session"),
    [
        (basic("client-123"), "client-123"),
        ("basic " + base64.b64encode(b"only-id").decode(), "only-id"),
        ("Bearer U1BCMDFUMDRKV1MwMXxz", None),
        ("Basic !!not-base64!!", None),
        ("Basic clé", None),
        ("Basic " + base64.b64encode(b"\xff:x").decode(), None),
        (basic(""), None),
        (None, None),
    ],
)
def test_session_of(authorization: str | None, session: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    snap = RequestSnapshot(vendor="ringcentral", method="POST", path="/", headers=headers)
    assert VENDOR.session_of(snap) == session


def sms_snapshot() -> RequestSnapshot:
    body = {"from": {"phoneNumber": "+15550001111"}, "to": [{"phoneNumber": "+15550002222"}]}
    return RequestSnapshot(
        vendor="ringcentral",
        method="POST",
        path="/restapi/v1.0/account/~/extension/~/sms",
        query=[("dryRun", "1")],
        headers={"Content-Type": "application/json; charset=UTF-8"},
        body=json.dumps({**body, "text": "hi"}).encode(),
    )


def test_default_params_from_sms_request() -> None:
    message = (
        "${parameterName} ${parameterValue} ${method} ${contentType} ${header} "
        "${toPhoneNumber} ${text} ${dryRun} ${missing}"
    )
    entry = make_entry(code="CMN-999", message=message, http_status=400)
    assert VENDOR.default_params(entry, sms_snapshot()) == {
        "parameterName": "to",
        "parameterValue": "+15550002222",
        "method": "POST",
        "contentType": "application/json",
        "header": "Authorization",
        "toPhoneNumber": "+15550002222",
        "text": "hi",
        "dryRun": "1",
    }


def test_default_params_without_body() -> None:
    entry = make_entry(code="CMN-999", message="${parameterName} ${toPhoneNumber}", http_status=400)
    snap = RequestSnapshot(vendor="ringcentral", method="GET", path="/", query=[("dateFrom", "x")])
    assert VENDOR.default_params(entry, snap) == {
        "parameterName": "dateFrom",
        "toPhoneNumber": "+15550100000",
    }


def test_default_client_id_from_basic_auth() -> None:
    entry = make_entry(code="OAU-153", message="Invalid client: ", http_status=400)
    snap = RequestSnapshot(
        vendor="ringcentral",
        method="POST",
        path="/restapi/oauth/token",
        headers={"Authorization": basic("cid")},
    )
    assert VENDOR.default_params(entry, snap) == {"client_id": "cid"}


def test_class_attributes() -> None:
    assert (VENDOR.name, VENDOR.families) == (
        "ringcentral",
        ("rest", "oauth", "gateway", "analytics"),
    )
    assert (VENDOR.not_found_key, VENDOR.rate_limit_key) == ("AGW-404", "CMN-301")
    assert VENDOR.request_id_header == "RCRequestId"


def catalog_entries() -> list[CatalogEntry]:
    return list(load_vendor_file(CATALOG)) if CATALOG.exists() else []


def family_of(entry: CatalogEntry) -> str:
    if entry.code.upper().startswith("OAU-"):
        return "oauth"
    return "gateway" if entry.code.upper().startswith("AGW-") else "rest"


@pytest.mark.skipif(not CATALOG.exists(), reason="catalog/ringcentral.yaml not generated yet")
@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e.key)
def test_every_catalog_entry_renders(entry: CatalogEntry) -> None:
    ctx = RenderContext(family=family_of(entry), params={p: p for p in entry.params})
    if entry.delivery == "async":
        body = VENDOR.render_async(entry, ctx).json()
        assert body["body"]["deliveryErrorCode"] == entry.code
        return
    rendered = VENDOR.render_error(entry, ctx)
    body = rendered.json()
    assert 400 <= rendered.status <= 599
    assert body["errors"] == [] or body["errors"][0]["errorCode"] == entry.code
    if ctx.family == "oauth":
        assert body["error_description"] == body["errors"][0]["message"]
    else:
        assert body["errorCode"] == (entry.top_code or entry.code)
    assert "${" not in rendered.body.decode()
