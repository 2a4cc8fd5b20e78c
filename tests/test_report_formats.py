"""The verdict report's formats (text, markdown, html, json) and its JSON Schema."""

from __future__ import annotations

import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mockserver.verdicts.formats import FORMATS, render, summary_line

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "schemas" / "report.schema.json").read_text("utf-8")
)
SMS = "POST /2010-04-01/Accounts/{sid}/Messages.json"
RC_SMS = "POST /restapi/v1.0/account/~/extension/~/sms"
EVIL = "GET /<script>alert(1)</script>|`x`"

EMPTY: dict[str, Any] = {
    "errors": [],
    "coverage": {},
    "summary": {"served": 0, "ok": 0, "bad": 0, "unknown": 0, "sessions": 0, "by_tag": {}},
}


def _occ(session: str, time: float, operation: str, verdict: str, behaviour: str) -> dict[str, Any]:
    method, _, path = operation.partition(" ")
    return {
        "session": session,
        "time": time,
        "operation": operation,
        "method": method,
        "path": path.replace("{sid}", "PN123"),
        "verdict": verdict,
        "behaviour": behaviour,
    }


FULL: dict[str, Any] = {
    "errors": [
        {
            "vendor": "signalwire",
            "key": "20429",
            "code": "20429",
            "status": 429,
            "tags": ["rate-limit"],
            "served": 2,
            "occurrences": [
                _occ("s1", 1_764_960_000.0, SMS, "ok", "waited 1.2 s, vendor asked 1 s"),
                _occ("s2", 1_764_960_001.5, SMS, "bad", "retried after 0.1 s, vendor asked 2 s"),
            ],
        },
        {
            "vendor": "signalwire",
            "key": "21211",
            "code": "21211",
            "status": 400,
            "tags": ["messaging", "validation"],
            "served": 1,
            "occurrences": [_occ("s3", 1_764_960_003.0, SMS, "unknown", "no later request")],
        },
        {
            "vendor": "ringcentral",
            "key": "CMN-301",
            "code": "CMN-301",
            "status": 429,
            "tags": ["rate-limit"],
            "served": 1,
            "occurrences": [_occ("s4", 1_764_960_004.0, RC_SMS, "ok", "waited 60.0 s")],
        },
        {
            "vendor": "signalwire",
            "key": "20404",
            "code": "20404",
            "status": 404,
            "tags": ["not-found"],
            "served": 1,
            "occurrences": [_occ("<b>s5</b>", 1_764_960_005.0, EVIL, "bad", "repeated <i>x</i>")],
        },
    ],
    "coverage": {
        "signalwire": {
            "operations": {
                SMS: {
                    "served": {"20429": 2, "21211": 1},
                    "not_exercised": {"server": ["20500", "20503"], "auth": ["20003"]},
                },
                EVIL: {"served": {"20404": 1}, "not_exercised": {"auth": ["<img src=x>"]}},
            }
        },
        "ringcentral": {
            "operations": {
                RC_SMS: {
                    "served": {"CMN-301": 1},
                    "not_exercised": {"validation": ["MSG-246", "+12 more"], "auth": []},
                }
            }
        },
    },
    "summary": {
        "served": 5,
        "ok": 2,
        "bad": 2,
        "unknown": 1,
        "sessions": 5,
        "by_tag": {
            "rate-limit": {"ok": 2, "bad": 1, "unknown": 0},
            "validation": {"ok": 0, "bad": 0, "unknown": 1},
            "not-found": {"ok": 0, "bad": 1, "unknown": 0},
        },
    },
}


class _Page(HTMLParser):
    """Collects what a browser would see: tags, text, and whether the nesting holds."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open[-1:] == [tag], (self.open[-3:], tag)
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.open == []
    return page


# ------------------------------------------------------------------ the schema


def test_the_schema_is_a_valid_2020_12_schema_with_a_stable_id() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "urn:mockserver:schema:report:1"


@pytest.mark.parametrize("report", [EMPTY, FULL], ids=["empty", "full"])
def test_sample_reports_validate(report: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("errors", 0, "occurrences", 0, "verdict"), "fine"),
        (("errors", 0, "served"), -1),
        (("errors", 0, "status"), "429"),
        (("summary", "by_tag", "rate-limit", "ok"), 1.5),
        (("coverage", "signalwire", "operations", SMS, "served", "20429"), "2"),
    ],
)
def test_the_schema_rejects_a_wrong_shape(where: tuple[Any, ...], value: Any) -> None:
    report = copy.deepcopy(FULL)
    target: Any = report
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(report)


@pytest.mark.parametrize("missing", ["errors", "coverage", "summary"])
def test_the_schema_requires_the_three_parts(missing: str) -> None:
    report = {k: v for k, v in FULL.items() if k != missing}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(report)


# ------------------------------------------------------------------ every format


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("report", [EMPTY, FULL], ids=["empty", "full"])
def test_every_format_renders_empty_and_full_reports(report: dict[str, Any], fmt: str) -> None:
    out = render(report, fmt)
    assert out.endswith("\n")
    if fmt == "json":
        assert json.loads(out) == report
    else:
        assert summary_line(report) in out


def test_an_unknown_format_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown report format 'pdf'; one of text, markdown"):
        render(FULL, "pdf")


def test_summary_line() -> None:
    assert summary_line(FULL) == "5 errors served, 2 handled badly, 1 unknown"
    assert summary_line(EMPTY) == "no catalogued error served"
    one = {"summary": {"served": 1, "ok": 1, "bad": 0, "unknown": 0}}
    assert summary_line(one) == "1 error served, 0 handled badly, 0 unknown"


def test_json_is_the_dict_in_its_order() -> None:
    out = render(FULL, "json")
    assert json.loads(out) == FULL
    assert out.startswith('{\n  "errors": [\n')
    assert list(json.loads(out)) == ["errors", "coverage", "summary"]


# ------------------------------------------------------------------ text


def test_text_lists_bad_then_unknown_occurrences_and_the_gaps() -> None:
    lines = render(FULL, "text").splitlines()
    assert lines[0] == "5 errors served, 2 handled badly, 1 unknown"
    bad = next(i for i, line in enumerate(lines) if "signalwire 20429 on " in line)
    assert lines[bad].split("(session")[0].strip() == (
        f"bad     signalwire 20429 on {SMS}: retried after 0.1 s, vendor asked 2 s"
    )
    assert "(session s2, 2025-12-05T18:40:01.500Z)" in lines[bad]
    unknown = next(i for i, line in enumerate(lines) if "21211" in line)
    assert unknown > bad
    assert lines[unknown].startswith("  unknown signalwire 21211 on ")
    assert not any("waited 1.2 s" in line for line in lines), "ok occurrences are only counted"
    assert f"  signalwire {SMS}: never saw: server (20500, 20503), auth (20003)" in lines
    assert f"  ringcentral {RC_SMS}: never saw: validation (MSG-246, +12 more)" in lines


def test_text_of_an_empty_report_is_one_line() -> None:
    assert render(EMPTY, "text") == "no catalogued error served\n"


def test_text_shows_control_characters_instead_of_obeying_them() -> None:
    report = copy.deepcopy(FULL)
    report["errors"][3]["occurrences"][0]["operation"] = "GET /\x1b[2J\x1b]0;pwned\x07"
    out = render(report, "text")
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "GET /\\x1b[2J\\x1b]0;pwned\\x07" in out


# ------------------------------------------------------------------ markdown


def _md_tables(text: str) -> dict[str, list[list[str]]]:
    """Each `## title` with the cells of its table (header row first)."""
    tables: dict[str, list[list[str]]] = {}
    title = ""
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:]
            tables[title] = []
        elif line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").replace("\\|", "\0").split("|")]
            tables[title].append([c.replace("\0", "\\|") for c in cells])
    return tables


def test_markdown_has_a_table_per_part() -> None:
    tables = _md_tables(render(FULL, "markdown"))
    assert tables["Verdicts by vendor"] == [
        ["vendor", "ok", "bad", "unknown"],
        ["`signalwire`", "1", "2", "1"],
        ["`ringcentral`", "1", "0", "0"],
    ]
    assert tables["Verdicts by tag"][1] == ["`rate-limit`", "2", "1", "0"]
    assert tables["Errors served"][1] == [
        "`signalwire`",
        "`20429`",
        "429",
        "rate-limit",
        "2",
        "1",
        "1",
        "0",
    ]
    bad = tables["Handled badly or unknown"][1]
    assert bad[:5] == ["bad", "`signalwire`", "`20429`", f"`{SMS}`", "`s2`"]
    assert bad[6] == "retried after 0.1 s, vendor asked 2 s"
    assert [r[0] for r in tables["Handled badly or unknown"][1:]] == ["bad", "bad", "unknown"]
    gaps = tables["Never exercised"]
    assert gaps[1] == ["`signalwire`", f"`{SMS}`", "server (20500, 20503), auth (20003)"]


def test_markdown_cells_cannot_be_broken_out_of() -> None:
    text = render(FULL, "markdown")
    row = next(r for r in _md_tables(text)["Handled badly or unknown"] if "20404" in r[2])
    assert len(row) == 7, "a | in a path stays in its cell"
    assert row[3] == "`` GET /<script>alert(1)</script>\\|`x` ``"
    assert row[6] == "repeated \\<i\\>x\\</i\\>"
    assert "<b>s5</b>" not in text.replace("`<b>s5</b>`", "")


def test_markdown_of_an_empty_report_says_none() -> None:
    text = render(EMPTY, "markdown")
    assert text.count("_none_") == 5
    assert "no catalogued error served." in text


# ------------------------------------------------------------------ html


def test_html_is_one_well_formed_self_contained_page() -> None:
    html = render(FULL, "html")
    page = _page(html)
    names = [t for t, _ in page.tags]
    assert names[:2] == ["html", "head"]
    assert ("html", {"lang": "en"}) in page.tags
    assert "script" not in names, "no JS"
    assert not [t for t, a in page.tags if t in ("link", "img", "iframe", "object") or "src" in a]
    assert "http://" not in html
    assert "https://" not in html
    assert "url(" not in html


def test_html_escapes_every_value_from_a_request() -> None:
    html = render(FULL, "html")
    page = _page(html)
    assert "<script>" not in html
    assert "<img src=x>" not in html
    assert "<b>s5</b>" not in html
    assert "<i>x</i>" not in html
    text = "".join(page.text)
    assert "GET /<script>alert(1)</script>|`x`" in text, "shown as text"
    assert "<img src=x>" in text
    assert "repeated <i>x</i>" in text


def test_html_charts_hold_the_figures_per_vendor_and_tag() -> None:
    page = _page(render(FULL, "html"))
    svgs = [a for t, a in page.tags if t == "svg"]
    assert len(svgs) == 2
    assert all(a["role"] == "img" and a["aria-labelledby"] for a in svgs)
    text = "".join(page.text)
    assert "5 errors served, 2 handled badly, 1 unknown (5 sessions)" in text
    assert "signalwire: 1 ok, 2 bad, 1 unknown" in text
    assert "ringcentral: 1 ok, 0 bad, 0 unknown" in text
    assert "rate-limit: 2 ok, 1 bad, 0 unknown" in text
    bars = [a for t, a in page.tags if t == "rect"]
    # signalwire: 1 ok, 2 bad, 1 unknown; ringcentral: 1 ok; then three tags, four non-empty
    assert [a["fill"] for a in bars[:4]] == ["#1a7f37", "#cf222e", "#6e7781", "#1a7f37"]
    widths = [float(a["width"] or 0) for a in bars[:4]]
    assert widths[:3] == [90.0, 180.0, 90.0], "scaled to the largest row (4 verdicts)"


def test_html_tables_have_headers_and_the_noteworthy_rows() -> None:
    page = _page(render(FULL, "html"))
    assert ("th", {"scope": "col"}) in page.tags
    text = "".join(page.text)
    assert "retried after 0.1 s, vendor asked 2 s" in text
    assert "waited 1.2 s" not in text, "ok occurrences are only counted"
    assert "server (20500, 20503), auth (20003)" in text


def test_html_of_an_empty_report() -> None:
    page = _page(render(EMPTY, "html"))
    text = "".join(page.text)
    assert "no catalogued error served (0 sessions)" in text
    assert text.count("No verdicts yet.") == 2
    assert not [t for t, _ in page.tags if t in ("svg", "table")]
