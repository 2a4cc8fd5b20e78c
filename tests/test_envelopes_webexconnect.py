"""Webex Connect renderers: golden envelopes, families, sessions and delivery notifications."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from mockserver.answers.rendered import RenderContext, Rendered, compact_json
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import CatalogEntry, VendorCatalog, VendorFile
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.webexconnect import WebexConnect
from tests.goldens import GoldenKit

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "webexconnect"
CATALOG_FILE = ROOT / "catalog" / "webexconnect.yaml"
REQUEST_ID = "5f1c7a8e-0d2b-4c39-9a51-3e7d0c2b6f10"
VENDOR = WebexConnect()


KIT = GoldenKit(VENDOR, source="test")
make_entry = KIT.make_entry
golden_entry = KIT.case_entry  # the case's own entry, or the catalog's entry under "key"


AUTH = make_entry(key="7001", code="7001", message="Authentication failed", http_status=401)


def make_ctx(family: str = "v1", **fields: Any) -> RenderContext:
    return RenderContext(family=family, request_id=fields.pop("request_id", REQUEST_ID), **fields)


def catalog_of(*entries: CatalogEntry) -> VendorCatalog:
    data = VendorFile(
        vendor="webexconnect",
        name="Webex Connect",
        source={"seed": "test", "page": "test"},
        status_policy="test",
        envelopes=("v1", "v2"),
        entries=entries,
    )
    return VendorCatalog.from_file(data)


def render(case: dict[str, Any], entry: CatalogEntry, ctx: RenderContext) -> Rendered:
    if case.get("not_found"):
        assert entry.key == VENDOR.not_found_key
        return VENDOR.render_not_found(catalog_of(entry), ctx)
    if entry.delivery == "async":
        return VENDOR.render_async(entry, ctx)
    return VENDOR.render_error(entry, ctx)


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
    rendered = render(case, entry, ctx)
    if "status" in case:
        assert rendered.status == case["status"]
    assert rendered.content_type == case.get("content_type", "application/json")
    headers = {k.lower(): v for k, v in rendered.headers}
    headers["content-type"] = rendered.content_type
    for name, value in case.get("headers", {}).items():
        assert headers.get(name.lower()) == value, name
    assert rendered.body == compact_json(case["body"])


def test_golden_set_covers_both_families_variants_and_receipts() -> None:
    cases = [json.loads(p.read_text()) for p in golden_cases()]
    assert {c["context"]["family"] for c in cases} == set(VENDOR.families)
    assert any(c["entry"].get("variant") for c in cases)
    assert any(c["entry"].get("delivery") == "async" for c in cases)


# --- families, keys, sessions, defaults -------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/resources/v1/messaging", "v1"),
        ("/resources/v1/events/externalevent", "v1"),
        ("/resources/v1/messaging/status/8026899a", "v1"),
        ("/resources/v2/customerprofile", "v1"),
        ("/resources/v2/customerappprofile/42", "v1"),
        ("/v1/sms/messages", "v2"),
        ("/v1/sms/messages/abc", "v2"),
        ("/v2/messages", "v2"),
        ("/", "v1"),
        ("/unknown", "v1"),
        ("/v1", "v1"),
    ],
)
def test_family_for(path: str, family: str) -> None:
    assert VENDOR.family_for("POST", path) == family


def test_keys_and_no_request_id_header() -> None:
    assert VENDOR.name == "webexconnect"
    assert VENDOR.families[0] == "v1"
    assert (VENDOR.not_found_key, VENDOR.rate_limit_key) == ("7600", "7020")
    assert VENDOR.request_id_header is None
    assert VENDOR.success_headers(make_ctx()) == ()
    assert VENDOR.render_error(AUTH, make_ctx()).headers == ()


def snapshot(headers: dict[str, str] | None = None, body: bytes = b"") -> RequestSnapshot:
    return RequestSnapshot(
        vendor="webexconnect",
        method="POST",
        path="/resources/v1/messaging",
        headers={"Content-Type": "application/json", **(headers or {})},
        body=body,
    )


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


@pytest.mark.parametrize(
    ("headers", "body", "session"),
    [
        # keys are secrets: the session is named by a hash, never the key
        ({"key": "svc-key"}, b'{"key": "body-key"}', "key-7bc8c56ce1e07241"),
        ({}, b'{"key": "body-key"}', "key-154b2dbe7bbb74b7"),
        ({"Authorization": "svc-key-2"}, b"", "key-66451b981915fa19"),
        ({"Authorization": "Bearer opaque"}, b"", "key-6d229884c1268bb0"),
        ({"key": "mock-session-t-42"}, b"", "t-42"),
        ({"Authorization": f"Bearer {jwt({'iss': 'service-7', 'iat': 1})}"}, b"", "service-7"),
        ({"Authorization": f"bearer {jwt({'iss': 'service-7', 'iat': 2})}"}, b"", "service-7"),
        ({}, b'{"key": 5}', None),
        ({}, b"[]", None),
        ({}, b"", None),
    ],
)
def test_session_of(headers: dict[str, str], body: bytes, session: str | None) -> None:
    assert VENDOR.session_of(snapshot(headers, body)) == session


def test_default_params_from_messaging_request() -> None:
    request = {
        "deliverychannel": "sms",
        "destination": [{"msisdn": ["919811112222"], "correlationid": "d-1"}],
        "correlationid": "abc",
        "callbackData": "x",
    }
    values = VENDOR.default_params(AUTH, snapshot(body=json.dumps(request).encode()))
    assert values == {"correlationid": "abc", "callbackData": "x", "destination": "919811112222"}


@pytest.mark.parametrize("body", [b"", b"[]", b'{"destination": "x"}', b'{"destination": [{}]}'])
def test_default_params_tolerate_odd_bodies(body: bytes) -> None:
    assert VENDOR.default_params(AUTH, snapshot(body=body)) == {}


# --- renderer details -------------------------------------------------------------------------


def test_v1_codes_are_strings_and_transid_is_request_id() -> None:
    item = VENDOR.render_error(AUTH, make_ctx()).json()["response"][0]
    assert item == {"code": "7001", "description": "Authentication failed", "transid": REQUEST_ID}


def test_status_override() -> None:
    assert VENDOR.render_error(AUTH, make_ctx("v2", status=403)).status == 403


def test_retry_after_only_when_asked() -> None:
    limit = make_entry(
        key="7020",
        code="7020",
        message="You have reached maximum transaction limit",
        http_status=400,
    )
    assert VENDOR.render_error(limit, make_ctx(status=429)).headers == ()
    asked = VENDOR.render_error(limit, make_ctx(status=429, retry_after=30))
    assert asked.headers == (("Retry-After", "30"),)


def test_not_found_keeps_an_asked_status() -> None:
    entry = make_entry(key="7600", code="7600", message="no results found", http_status=400)
    rendered = VENDOR.render_not_found(catalog_of(entry), make_ctx("v2", status=400))
    assert rendered.status == 400
    assert rendered.json() == {"code": "7600", "message": "no results found"}


@pytest.mark.parametrize(
    ("key", "code", "message", "status"),
    [
        ("7208", "7208", "Source ip is not in the allowed list", "Failed"),
        ("7208/2", "7208", "Message expired", "Un-Delivered"),
        ("7301", "7301", "Message expired", "Un-Delivered"),
        ("7501", "7501", "Submitted", "Submitted"),
        ("7502", "7502", "Read", "Read"),
        ("7201", "7201", "Delivery failed at Operator", "Failed"),
    ],
)
def test_delivery_status(key: str, code: str, message: str, status: str) -> None:
    entry = make_entry(key=key, code=code, message=message, http_status=400, delivery="async")
    info = VENDOR.render_async(entry, make_ctx()).json()["deliveryInfoNotification"]["deliveryInfo"]
    assert info["deliveryStatus"] == status
    assert info["Description"] == message


# --- the whole catalog ------------------------------------------------------------------------


def catalog_entries() -> list[CatalogEntry]:
    return list(load_vendor_file(CATALOG_FILE).entries) if CATALOG_FILE.exists() else []


NOTIFICATION_KEYS = {"deliveryInfo", "subtid", "transid", "callbackData", "correlationid"}
STATUSES = {"Failed", "Un-Delivered", "Delivered", "Submitted", "Read"}


@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e.key)
def test_every_catalog_entry_renders(entry: CatalogEntry) -> None:
    if entry.delivery == "async":
        body = VENDOR.render_async(entry, make_ctx()).json()["deliveryInfoNotification"]
        assert set(body) == NOTIFICATION_KEYS
        assert body["deliveryInfo"]["code"] == entry.code
        assert body["deliveryInfo"]["deliveryStatus"] in STATUSES
        return
    v1 = VENDOR.render_error(entry, make_ctx("v1"))
    assert v1.status == entry.http_status
    assert v1.json() == {
        "response": [{"code": entry.code, "description": entry.message, "transid": REQUEST_ID}]
    }
    v2 = VENDOR.render_error(entry, make_ctx("v2")).json()
    assert v2 == {"code": entry.code, "message": entry.format_message({}, "v2")}


def test_catalog_has_the_not_found_and_rate_limit_keys() -> None:
    if not CATALOG_FILE.exists():
        pytest.skip("catalog/webexconnect.yaml not generated yet")
    catalog = load_vendor_file(CATALOG_FILE)
    assert catalog.get(VENDOR.not_found_key) is not None
    assert catalog.get(VENDOR.rate_limit_key) is not None
    rendered = VENDOR.render_not_found(catalog, make_ctx())
    assert rendered.status == 404
    assert rendered.json()["response"][0]["code"] == "7600"
