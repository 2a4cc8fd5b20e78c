"""Yeastar P-Series renderers: golden answers, HTTP 200 policy, detail lists, events, sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.answers.rendered import RenderContext
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.yeastar import Yeastar
from tests.goldens import GoldenKit

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog" / "yeastar.yaml"
VENDOR = Yeastar()


KIT = GoldenKit(Yeastar(), status={"origin": "inferred", "rule": "golden"}, http_status=200)
make_entry = KIT.make_entry
make_context = KIT.make_context
one_entry_catalog = KIT.one_entry_catalog
case_entry = KIT.case_entry
render_case = KIT.render_case


@pytest.mark.parametrize("path", KIT.paths(), ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    KIT.check(path)


def test_body_is_compact_and_keeps_the_seed_spelling() -> None:
    entry = make_entry(code="70130", message="CAHNNEL ID NOT FOUND")
    rendered = VENDOR.render_error(entry, RenderContext(family="errcode"))
    assert rendered.body == b'{"errcode":70130,"errmsg":"CAHNNEL ID NOT FOUND"}'
    assert rendered.headers == ()


def test_status_override_and_retry_after() -> None:
    entry = make_entry(code="-2", message="INTERNAL SERVER ERROR")
    rendered = VENDOR.render_error(
        entry, RenderContext(family="errcode", status=503, retry_after=7)
    )
    assert rendered.status == 503
    assert dict(rendered.headers) == {"Retry-After": "7"}


@pytest.mark.parametrize(
    ("params", "item"),
    [
        ({"field": "name"}, {"field": "name", "validation_type": "required"}),
        (
            {"field": "email", "validation_type": "format"},
            {"field": "email", "validation_type": "format"},
        ),
        ({"field": "number", "value": "abc"}, {"field": "number", "value": "abc"}),
    ],
)
def test_invalid_param_list(params: dict[str, str], item: dict[str, str]) -> None:
    entry = make_entry(code="40002", message="PARAMETER ERROR")
    body = VENDOR.render_error(entry, RenderContext(family="errcode", params=params)).json()
    assert body["invalid_param_list"] == [item]


def test_duplicate_field_minimal() -> None:
    entry = make_entry(code="40003", message="DUPLICATE KEY VALUE")
    ctx = RenderContext(family="errcode", params={"duplicate_field": "number"})
    body = VENDOR.render_error(entry, ctx).json()
    assert body["duplicate_field_list"] == [{"field": "number", "value": ""}]
    assert "submsg" not in body


def test_event_msg_is_a_json_string() -> None:
    entry = make_entry(code="-1", message="FAILURE", delivery="async")
    event = VENDOR.render_async(entry, RenderContext(family="errcode", request_id="r-1")).json()
    assert event["type"] == 30011
    msg = json.loads(event["msg"])
    assert msg["errcode"] == -1
    assert msg["members"][0]["outbound"]["member_status"] == "BYE"
    assert msg["call_id"].startswith("1700000000.")


def token_request(body: object) -> RequestSnapshot:
    return RequestSnapshot(
        vendor="yeastar",
        method="POST",
        path="/openapi/v1.0/get_token",
        headers={"Content-Type": "application/json", "User-Agent": "OpenAPI"},
        body=json.dumps(body).encode(),
    )


def test_session_of() -> None:
    assert VENDOR.session_of(token_request({"username": "cid", "password": "x"})) == "cid"
    assert VENDOR.session_of(token_request({"username": ""})) is None
    assert VENDOR.session_of(token_request(["cid"])) is None
    call = RequestSnapshot(
        vendor="yeastar",
        method="GET",
        path="/openapi/v1.0/call/query",
        query=[("access_token", "t")],
    )
    assert VENDOR.session_of(call) is None


def test_get_token_failure_defaults() -> None:
    failure = make_entry(code="-1", message="FAILURE")
    other = make_entry(code="10004", message="TOKEN EXPIRED")
    snap = token_request({"username": "cid", "password": "bad"})
    assert VENDOR.default_params(failure, snap) == {
        "field": "username or password",
        "value": "error",
    }
    assert VENDOR.default_params(other, snap) == {}


def test_class_attributes() -> None:
    assert (VENDOR.name, VENDOR.families) == ("yeastar", ("errcode",))
    assert (VENDOR.not_found_key, VENDOR.rate_limit_key) == ("10001", "-1")
    assert VENDOR.request_id_header is None
    assert VENDOR.family_for("POST", "/openapi/v1.0/call/dial") == "errcode"
    assert VENDOR.success_headers(RenderContext(family="errcode")) == ()


def catalog_entries() -> list[CatalogEntry]:
    return list(load_vendor_file(CATALOG)) if CATALOG.exists() else []


@pytest.mark.skipif(not CATALOG.exists(), reason="catalog/yeastar.yaml not generated yet")
@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e.key)
def test_every_catalog_entry_renders(entry: CatalogEntry) -> None:
    ctx = RenderContext(family="errcode", params={p: p for p in entry.params})
    if entry.delivery == "async":
        event = VENDOR.render_async(entry, ctx).json()
        assert json.loads(event["msg"])["errcode"] == int(entry.code)
        return
    rendered = VENDOR.render_error(entry, ctx)
    assert rendered.status == 200
    assert rendered.json() == {
        "errcode": int(entry.code),
        "errmsg": entry.format_message(ctx.params),
    }
