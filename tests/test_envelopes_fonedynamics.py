"""Fone Dynamics renderers: golden ResponseStatus answers, field messages, resources, sessions."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from mockserver.answers.rendered import RenderContext
from mockserver.catalog.loader import load_vendor_file
from mockserver.catalog.model import CatalogEntry
from mockserver.request.snapshot import RequestSnapshot
from mockserver.vendors.fonedynamics import FoneDynamics
from tests.goldens import GoldenKit

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "catalog" / "fonedynamics.yaml"
VENDOR = FoneDynamics()


KIT = GoldenKit(FoneDynamics(), status={"origin": "documented", "rule": "golden"}, http_status=400)
make_entry = KIT.make_entry
make_context = KIT.make_context
one_entry_catalog = KIT.one_entry_catalog
case_entry = KIT.case_entry
render_case = KIT.render_case


@pytest.mark.parametrize("path", KIT.paths(), ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    KIT.check(path)


@pytest.mark.parametrize(
    ("code", "field", "message"),
    [
        ("PARAMETER_REQUIRED", "To", "'To' is required."),
        ("PARAMETER_INVALID", "Schedule", "'Schedule' is invalid."),
        ("ONE_OF_SEVERAL_PARAMETERS_REQUIRED", "From,To", "At least one of 'From,To' is required."),
        ("PARAMETER_TOO_LONG", "Text", "catalogued"),
    ],
)
def test_field_messages(code: str, field: str, message: str) -> None:
    entry = make_entry(code=code, message="catalogued")
    status = VENDOR.render_error(
        entry, RenderContext(family="responsestatus", params={"FieldName": field})
    )
    assert status.json()["ResponseStatus"] == {
        "ErrorCode": code,
        "Message": message,
        "Errors": [{"FieldName": field}],
    }


def test_placeholder_message_wins_over_field_template() -> None:
    entry = make_entry(code="PARAMETER_REQUIRED", message="Parameter ${FieldName} is missing.")
    ctx = RenderContext(family="responsestatus", params={"FieldName": "To"})
    assert (
        VENDOR.render_error(entry, ctx).json()["ResponseStatus"]["Message"]
        == "Parameter To is missing."
    )


def test_status_override_and_retry_after() -> None:
    entry = make_entry(code="FORBIDDEN", message="Forbidden.", http_status=403)
    rendered = VENDOR.render_error(
        entry, RenderContext(family="responsestatus", status=429, retry_after=3)
    )
    assert rendered.status == 429
    assert dict(rendered.headers) == {"Retry-After": "3"}
    assert rendered.body == b'{"ResponseStatus":{"ErrorCode":"FORBIDDEN","Message":"Forbidden."}}'


def test_async_defaults_are_deterministic() -> None:
    entry = make_entry(code="NUMBER_NOT_FOUND", message="x", delivery="async")
    ctx = RenderContext(family="responsestatus", request_id="r-1", account="AC9")
    first = VENDOR.render_async(entry, ctx)
    assert first == VENDOR.render_async(entry, ctx)
    message = first.json()["Message"]
    assert message["MessageSid"].startswith("MS")
    assert (message["AccountSid"], message["Status"], message["ErrorCode"]) == (
        "AC9",
        "Failed",
        "NUMBER_NOT_FOUND",
    )


@pytest.mark.parametrize(
    ("authorization", "session"),
    [
        ("Basic " + base64.b64encode(b"AC123:token").decode(), "AC123"),
        ("Bearer abc", None),
        ("Basic ###", None),
        ("Basic é", None),
        (None, None),
    ],
)
def test_session_of(authorization: str | None, session: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    snap = RequestSnapshot(
        vendor="fonedynamics", method="GET", path="/v2/Messages/MS1", headers=headers
    )
    assert VENDOR.session_of(snap) == session


def send(body: dict[str, str]) -> RequestSnapshot:
    return RequestSnapshot(
        vendor="fonedynamics",
        method="POST",
        path="/v2/Properties/PR1/Messages",
        headers={"Content-Type": "application/json"},
        body=json.dumps(body).encode(),
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "To"), ({"To": "+61400000000"}, "Text"), ({"To": "+614", "Text": ""}, "Text")],
)
def test_default_field_name(body: dict[str, str], field: str) -> None:
    required = make_entry(code="PARAMETER_REQUIRED", message="missing")
    assert VENDOR.default_params(required, send(body)) == {"FieldName": field}


def test_default_field_name_only_for_field_codes() -> None:
    invalid = make_entry(code="PARAMETER_INVALID", message="bad")
    other = make_entry(code="FORBIDDEN", message="no", http_status=403)
    assert VENDOR.default_params(invalid, send({})) == {"FieldName": "To"}
    assert VENDOR.default_params(other, send({})) == {}


def test_class_attributes() -> None:
    assert (VENDOR.name, VENDOR.families) == ("fonedynamics", ("responsestatus",))
    assert (VENDOR.not_found_key, VENDOR.rate_limit_key) == ("RECORD_NOT_FOUND", "FORBIDDEN")
    assert VENDOR.request_id_header is None
    assert VENDOR.family_for("POST", "/v2/Properties/PR1/Messages") == "responsestatus"


def catalog_entries() -> list[CatalogEntry]:
    return list(load_vendor_file(CATALOG)) if CATALOG.exists() else []


@pytest.mark.skipif(not CATALOG.exists(), reason="catalog/fonedynamics.yaml not generated yet")
@pytest.mark.parametrize("entry", catalog_entries(), ids=lambda e: e.key)
def test_every_catalog_entry_renders(entry: CatalogEntry) -> None:
    ctx = RenderContext(family="responsestatus", params={p: p for p in entry.params})
    if entry.delivery == "async":
        assert VENDOR.render_async(entry, ctx).json()["Message"]["ErrorCode"] == entry.code
        return
    rendered = VENDOR.render_error(entry, ctx)
    assert rendered.status == entry.http_status
    assert rendered.json() == {
        "ResponseStatus": {"ErrorCode": entry.code, "Message": entry.format_message(ctx.params)}
    }
