"""The shipped catalog matches the vendors' seed tables row for row, and the build script reproduces it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from mockserver.catalog import Catalog, CatalogEntry, VendorCatalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "catalog" / "seeds"
sys.path.insert(0, str(ROOT / "scripts"))

import build_catalog  # noqa: E402
import seedparse  # noqa: E402

VENDORS = ("ringcentral", "yeastar", "signalwire", "fonedynamics", "webexconnect")
SEED_ROWS = {
    "ringcentral": 103,
    "yeastar": 61,
    "signalwire": 1049,
    "fonedynamics": 53,
    "webexconnect": 270,
}
RC_EXTRAS = {"AGW-404", "OAU-210", "OAU-213", "OAU-251", "OAU-153"}
# Captured answers kept next to a seed row of the same code (or with a code the seed lacks).
RC_OBSERVED = {"CMN-401/2": "CMN-401", "MSG-246": "MSG-246"}
SW_API_CODES = {"not_routable", "invalid_from_number"}
EXTRAS = len(RC_EXTRAS) + len(RC_OBSERVED) + len(SW_API_CODES)
SW_TEXT_FIELDS = ("secondary_message", "description", "causes", "solutions", "docs", "docs_title")


def seed_text(vendor: str) -> str:
    return (SEEDS / f"{vendor}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def rows() -> dict[str, list[dict[str, Any]]]:
    return {v: getattr(seedparse, f"parse_{v}")(seed_text(v)) for v in VENDORS}


def by_line(cat: VendorCatalog) -> dict[int, CatalogEntry]:
    return {e.source_line: e for e in cat if e.source_line is not None}


def squash(text: str) -> str:
    return " ".join(text.split())


# --- counts and coverage ---


@pytest.mark.parametrize("vendor", VENDORS)
def test_seed_row_counts(vendor: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    assert len(rows[vendor]) == SEED_ROWS[vendor]


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_seed_row_is_one_entry(
    vendor: str, rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    cat = seed_catalog.vendor(vendor)
    entries = by_line(cat)
    assert sorted(entries) == [row["line"] for row in rows[vendor]]
    for row in rows[vendor]:
        assert entries[row["line"]].code == row["code"]
        assert cat.get(row["code"]) is not None


def test_catalog_sizes(seed_catalog: Catalog) -> None:
    sizes = {v: len(seed_catalog.vendor(v)) for v in VENDORS}
    rc, sw = 103 + len(RC_EXTRAS) + len(RC_OBSERVED), 1049 + len(SW_API_CODES)
    assert sizes == {**SEED_ROWS, "ringcentral": rc, "signalwire": sw}
    assert len(seed_catalog) == sum(SEED_ROWS.values()) + EXTRAS


def test_webex_rows_codes_sections(rows: dict[str, list[dict[str, Any]]]) -> None:
    webex = rows["webexconnect"]
    assert len(webex) == 270
    assert len({r["code"] for r in webex}) == 114
    sections = list(dict.fromkeys(r["section"] for r in webex))
    assert sections == ["messaging", "transaction-status", "event", "profile"]


# --- verbatim text ---


@pytest.mark.parametrize("vendor", ["ringcentral", "yeastar", "webexconnect"])
def test_messages_are_verbatim(
    vendor: str, rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    entries = by_line(seed_catalog.vendor(vendor))
    raw = seed_text(vendor).splitlines()
    for row in rows[vendor]:
        entry = entries[row["line"]]
        assert (entry.seed_message or entry.message) == row["message"]
        assert row["message"] in raw[row["line"] - 1]


def test_fonedynamics_message_is_the_description(
    rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    raw = seed_text("fonedynamics").splitlines()
    for row in rows["fonedynamics"]:
        entry = seed_catalog.get("fonedynamics", row["code"])
        assert entry is not None
        assert entry.message == row["description"]
        assert raw[row["line"] - 1] == f"{row['code']} {entry.message}"
        assert entry.description is None
        assert any("undocumented" in note for note in entry.notes)


def test_yeastar_descriptions_joined(
    rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    raw = seed_text("yeastar").splitlines()
    for row in rows["yeastar"]:
        entry = seed_catalog.get("yeastar", row["code"])
        assert entry is not None
        assert entry.description == row["description"]
        lines = raw[row["line"] - 1 : row["line"] + 1]
        assert squash(entry.description) in squash(" ".join(lines))
    joined = seed_catalog.get("yeastar", "60002")
    assert joined is not None
    assert joined.description is not None
    assert "reached the limit. Example Scenario" in joined.description


def test_signalwire_text_fields(
    rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    raw = seed_text("signalwire").splitlines()
    for row in rows["signalwire"]:
        entry = seed_catalog.get("signalwire", row["code"])
        assert entry is not None
        assert entry.message == (row["message"] or "")
        assert entry.log_level == row["log_level"]
        for field in SW_TEXT_FIELDS:
            assert getattr(entry, field) == row[field], (row["code"], field)
        block = raw[row["line"] - 1 : row["line"] + 8]
        if row["message"]:  # the label line, minus the padding around the value
            assert squash(f"Message: {row['message']}") in [squash(line) for line in block]


def test_signalwire_fields_present_where_seed_has_them(seed_catalog: Catalog) -> None:
    sw = [e for e in seed_catalog.vendor("signalwire") if e.source_line is not None]
    counts = {f: sum(1 for e in sw if getattr(e, f)) for f in SW_TEXT_FIELDS}
    assert counts["docs"] == 1044
    assert counts["secondary_message"] == 1049 - 355
    assert all(counts[f] > 0 for f in SW_TEXT_FIELDS)
    assert all(e.log_level for e in sw)


# --- keys and variants ---


def test_webex_variants_in_seed_order(
    rows: dict[str, list[dict[str, Any]]], seed_catalog: Catalog
) -> None:
    webex = seed_catalog.vendor("webexconnect")
    codes = list(dict.fromkeys(r["code"] for r in rows["webexconnect"]))
    for code in codes:
        seed = [r for r in rows["webexconnect"] if r["code"] == code]
        variants = webex.variants(code)
        assert [e.source_line for e in variants] == [r["line"] for r in seed]
        assert [e.variant for e in variants] == list(range(1, len(seed) + 1))
        assert [e.key for e in variants] == [code] + [
            f"{code}/{n}" for n in range(2, len(seed) + 1)
        ]
        for entry, row in zip(variants, seed, strict=True):
            assert webex.get(entry.key) == entry
            assert entry.section == row["section"]
            assert entry.description == row["description"]
        assert webex.get(code) == variants[0]


def test_webex_placeholder_like_tokens_stay_verbatim(seed_catalog: Catalog) -> None:
    messages = [e.message for e in seed_catalog.vendor("webexconnect")]
    assert any("xxx" in m for m in messages)
    assert any("uxxxx" in m for m in messages)
    assert any("[xx,xx]" in m for m in messages)
    assert all(not e.params for e in seed_catalog.vendor("webexconnect"))


# --- anomalies carry notes ---


def test_ringcentral_status_typos(seed_catalog: Catalog) -> None:
    cmn406 = seed_catalog.get("ringcentral", "CMN-406")
    assert cmn406 is not None
    assert (cmn406.http_status, cmn406.status.documented) == (400, (400, 403))
    assert cmn406.status.origin == "documented"
    assert cmn406.notes
    cmn408 = seed_catalog.get("ringcentral", "CMN-408")
    assert cmn408 is not None
    assert (cmn408.http_status, cmn408.status.origin) == (403, "inferred")
    assert "typo" in cmn408.status.rule
    assert "403" in cmn408.status.rule
    assert cmn408.message == "[${permissionName}] permission required"
    assert cmn408.seed_message == "[{permissionName}] permission required"
    assert cmn408.params == ("permissionName",)
    assert len(cmn408.notes) == 2


def test_ringcentral_multi_status_cells(seed_catalog: Catalog) -> None:
    cmn101 = seed_catalog.get("ringcentral", "CMN-101")
    assert cmn101 is not None
    assert (cmn101.http_status, cmn101.status.documented) == (400, (400, 403))
    assert cmn101.status.origin == "documented"


def test_ringcentral_oauth_policy_text(seed_catalog: Catalog) -> None:
    rc = seed_catalog.vendor("ringcentral")
    assert "/restapi/oauth/*" in rc.status_policy
    assert "HTTP 400" in rc.status_policy
    oau140 = rc.get("OAU-140")
    assert oau140 is not None
    assert oau140.http_status == 401


def test_ringcentral_extras(seed_catalog: Catalog) -> None:
    rc = seed_catalog.vendor("ringcentral")
    extras = {e.key for e in rc if e.source_line is None}
    assert extras == RC_EXTRAS | set(RC_OBSERVED)
    for code in RC_EXTRAS:
        entry = rc.get(code)
        assert entry is not None
        assert entry.source
        assert "vendors.md" in entry.source
    expected = {"AGW-404": 404, "OAU-210": 400, "OAU-213": 401, "OAU-251": 400, "OAU-153": 400}
    assert {c: rc.get(c).http_status for c in RC_EXTRAS} == expected  # type: ignore[union-attr]
    oau153 = rc.get("OAU-153")
    assert oau153 is not None
    assert oau153.message == "Invalid client: "
    assert oau153.notes
    assert rc.get("OAU-213").status.origin == "inferred"  # type: ignore[union-attr]
    assert all(e.delivery == "sync" for e in rc)


@pytest.mark.parametrize("key", ["7208", "7208/2", "7208/3", "7601", "7601/2", "7628", "7629"])
def test_webex_anomaly_notes(key: str, seed_catalog: Catalog) -> None:
    entry = seed_catalog.get("webexconnect", key)
    assert entry is not None
    assert entry.notes


def test_webex_typos_and_7005_noted(seed_catalog: Catalog) -> None:
    webex = seed_catalog.vendor("webexconnect")
    for text in ("Submited", "Span content detected"):
        hits = [e for e in webex if e.message == text or e.message.startswith(text)]
        assert hits, text
        assert all(any("typo" in n for n in e.notes) for e in hits), text
    messaging, event = webex.variants("7005")
    assert (messaging.message, event.message) == ("Request expired", "Internal error occurred")
    assert messaging.notes
    assert event.notes
    assert (messaging.http_status, event.http_status) == (400, 500)


def test_signalwire_docs_title_mismatch_noted(seed_catalog: Catalog) -> None:
    entry = seed_catalog.get("signalwire", "13615")
    assert entry is not None
    assert entry.docs_title == "Record: transcribeCallback URL is invalid"
    assert entry.message == "Record: maxLength too high for transcription"
    assert any(n.startswith("docs title differs from message") for n in entry.notes)
    same = seed_catalog.get("signalwire", "11200")
    assert same is not None
    assert same.docs_title == same.message
    assert not same.notes


def test_yeastar_non_errors(seed_catalog: Catalog) -> None:
    for code in ("0", "1", "2"):
        entry = seed_catalog.get("yeastar", code)
        assert entry is not None
        assert entry.error is False
        assert entry.tags == ("success",)
        assert "non-error status" in entry.notes
    assert all(e.error for e in seed_catalog.vendor("yeastar") if e.code not in {"0", "1", "2"})


def test_webex_success_codes(seed_catalog: Catalog) -> None:
    webex = seed_catalog.vendor("webexconnect")
    success = {e.code for e in webex if not e.error}
    assert success == {"1000", "1002", "7500", "7501", "7502"}  # 1001 is not in the seed
    assert all(e.http_status == 200 and "success" in e.tags for e in webex if not e.error)


# --- status and delivery policy ---


@pytest.mark.parametrize(
    ("vendor", "key", "status", "origin", "delivery"),
    [
        ("signalwire", "20003", 401, "inferred", "sync"),
        ("signalwire", "21211", 400, "inferred", "sync"),
        ("signalwire", "20404", 404, "inferred", "sync"),
        ("signalwire", "20429", 429, "inferred", "sync"),
        ("signalwire", "30003", 400, "inferred", "async"),
        ("signalwire", "11200", 400, "inferred", "async"),
        ("yeastar", "10004", 200, "inferred", "sync"),
        ("fonedynamics", "FORBIDDEN", 403, "inferred", "sync"),
        ("fonedynamics", "ACCOUNT_NOT_FOUND", 400, "inferred", "sync"),
        ("webexconnect", "7001", 401, "inferred", "sync"),
        ("webexconnect", "7101", 400, "inferred", "async"),
        ("webexconnect", "7010/2", 500, "inferred", "sync"),
        ("ringcentral", "CMN-301", 429, "documented", "sync"),
    ],
)
def test_status_and_delivery(
    vendor: str, key: str, status: int, origin: str, delivery: str, seed_catalog: Catalog
) -> None:
    entry = seed_catalog.get(vendor, key)
    assert entry is not None
    assert (entry.http_status, entry.status.origin, entry.delivery) == (status, origin, delivery)


def test_inferred_vendors_are_all_inferred(seed_catalog: Catalog) -> None:
    for vendor in ("yeastar", "signalwire", "fonedynamics", "webexconnect"):
        seeded = [e for e in seed_catalog.vendor(vendor) if e.source_line is not None]
        assert {e.status.origin for e in seeded} == {"inferred"}, vendor
    assert {e.http_status for e in seed_catalog.vendor("yeastar")} == {200}


def test_webex_transaction_status_is_async(seed_catalog: Catalog) -> None:
    for entry in seed_catalog.vendor("webexconnect"):
        expected = entry.section == "transaction-status" or int(entry.code) >= 7100
        assert (entry.delivery == "async") == expected, entry.key


# --- the build script reproduces the committed files ---


def test_build_output_equals_committed_files(tmp_path: Path) -> None:
    written = build_catalog.write_all(SEEDS, tmp_path)
    assert [p.name for p in written] == [f"{v}.yaml" for v in VENDORS]
    for path in written:
        committed = ROOT / "catalog" / path.name
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed} differs from scripts/build_catalog.py output; run `make catalog`"
        )


def test_committed_files_carry_the_generated_header() -> None:
    for vendor in VENDORS:
        first = (ROOT / "catalog" / f"{vendor}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# generated by scripts/build_catalog.py")
        assert f"catalog/seeds/{vendor}.txt" in first


# --- the parsers are strict ---


@pytest.mark.parametrize(
    ("parser", "text", "line"),
    [
        ("parse_ringcentral", "| Status Code(s) | X |\n|---|---|\n| 400 | BAD | m |\n", 3),
        ("parse_yeastar", "| Error Code | a | b |\n|---|---|---|\n| 1 | A | never closed\n", 3),
        ("parse_fonedynamics", "Error Codes\n\nError Code Description\nnot a row\n", 4),
        ("parse_webexconnect", "Event\n\nCodeMessageDescription\n7000Invalid JSON\n", 4),
        ("parse_signalwire", "# Code: 1\nLog Level: ERROR\nDocs:\nCause: late\n", None),
    ],
)
def test_parsers_fail_loudly(parser: str, text: str, line: int | None) -> None:
    with pytest.raises(ValueError, match=rf"line {line}" if line else "lacks fields"):
        getattr(seedparse, parser)(text)
