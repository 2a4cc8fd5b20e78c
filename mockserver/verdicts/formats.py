"""The verdict report as text, markdown, a self-contained HTML page or JSON: pure renderers."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

Report = Mapping[str, Any]
FORMATS = ("text", "markdown", "html", "json")
VERDICTS = ("ok", "bad", "unknown")
# worth a line each; `ok` occurrences are only counted
NOTEWORTHY = ("bad", "unknown")
# bar colours: each has at least 3:1 contrast on white (WCAG non-text); figures are also written
COLOURS = {"ok": "#1a7f37", "bad": "#cf222e", "unknown": "#6e7781"}


def render(report: Report, fmt: str) -> str:
    """The report in `fmt` (one of FORMATS); a ValueError names the formats otherwise."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    return renderer(report)


def summary_line(report: Report) -> str:
    """`12 errors served, 2 handled badly, 1 unknown`: the one line a terminal shows first."""
    summary = report.get("summary", {})
    served = int(summary.get("served", 0))
    if not served:
        return "no catalogued error served"
    noun = "error" if served == 1 else "errors"
    bad, unknown = int(summary.get("bad", 0)), int(summary.get("unknown", 0))
    return f"{served} {noun} served, {bad} handled badly, {unknown} unknown"


# ------------------------------------------------------------------ what every format shows


def noteworthy(report: Report) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(error, occurrence) for every bad then unknown occurrence, in report order."""
    pairs = [(e, o) for e in report.get("errors", []) for o in e.get("occurrences", [])]
    return [p for verdict in NOTEWORTHY for p in pairs if p[1].get("verdict") == verdict]


def gaps(report: Report) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(vendor, operation, {tag: [keys]}) for every operation with errors never exercised."""
    for vendor, data in report.get("coverage", {}).items():
        for operation, cover in data.get("operations", {}).items():
            missing = {t: k for t, k in cover.get("not_exercised", {}).items() if k}
            if missing:
                yield vendor, operation, missing


def by_vendor(report: Report) -> dict[str, Counter[str]]:
    """Verdict counts per vendor, from the occurrences."""
    counts: dict[str, Counter[str]] = {}
    for error in report.get("errors", []):
        tally = counts.setdefault(str(error.get("vendor", "")), Counter())
        tally.update(o.get("verdict", "unknown") for o in error.get("occurrences", []))
    return counts


def by_tag(report: Report) -> dict[str, Counter[str]]:
    """Verdict counts per tag, as the summary gives them."""
    found = report.get("summary", {}).get("by_tag", {})
    return {str(tag): Counter({v: int(n.get(v, 0)) for v in VERDICTS}) for tag, n in found.items()}


def when(value: Any) -> str:
    """A journal time (seconds since the epoch) as UTC ISO 8601; anything else as given."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        stamp = datetime.fromtimestamp(value, UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return "" if value is None else str(value)


def _gap_text(missing: Mapping[str, Any]) -> str:
    return ", ".join(f"{tag} ({', '.join(map(str, keys))})" for tag, keys in missing.items())


def _figures(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{counts.get(v, 0)} {v}" for v in VERDICTS)


# ------------------------------------------------------------------ text


def _plain(value: Any) -> str:
    """A value from a request, unable to move the cursor or recolour the terminal."""
    # paths and sessions are whatever a client sent: escape sequences are shown, not obeyed
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))


def _text(report: Report) -> str:
    lines = [summary_line(report)]
    found = noteworthy(report)
    if found:
        lines += ["", "Handled badly or unknown:"]
    for error, occ in found:
        lines.append(
            f"  {_plain(occ.get('verdict', '')):<7} {_plain(error.get('vendor'))} {_plain(error.get('code'))}"
            f" on {_plain(occ.get('operation'))}: {_plain(occ.get('behaviour'))}"
            f" (session {_plain(occ.get('session'))}, {when(occ.get('time'))})"
        )
    missing = list(gaps(report))
    if missing:
        lines += ["", "Coverage gaps:"]
    for vendor, operation, tags in missing:
        lines.append(
            f"  {_plain(vendor)} {_plain(operation)}: never saw: {_plain(_gap_text(tags))}"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ markdown


def _code(value: Any) -> str:
    """A code span for a table cell; no value from a request can break out of it."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _longest_run(text: str, char: str) -> int:
    best = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        best = max(best, run)
    return best


def _md(value: Any) -> str:
    """Plain text in a table cell: markdown and inline HTML are shown, not interpreted."""
    text = " ".join(str(value).split())
    return "".join(f"\\{c}" if c in "\\`*_[]<>|~&" else c for c in text)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _markdown(report: Report) -> str:
    out = ["# Error-handling verdicts", "", _md(summary_line(report)) + ".", ""]
    for title, counts in (("vendor", by_vendor(report)), ("tag", by_tag(report))):
        rows = [[_code(k), *(str(c[v]) for v in VERDICTS)] for k, c in counts.items()]
        out += [f"## Verdicts by {title}", "", *_table([title, *VERDICTS], rows)]
    out += ["## Errors served", "", *_table(_ERROR_HEAD, [_error_row(e) for e in _errs(report)])]
    rows = [
        [
            _md(occ.get("verdict", "")),
            _code(error.get("vendor")),
            _code(error.get("code")),
            _code(occ.get("operation")),
            _code(occ.get("session")),
            when(occ.get("time")),
            _md(occ.get("behaviour")),
        ]
        for error, occ in noteworthy(report)
    ]
    out += ["## Handled badly or unknown", "", *_table(_OCC_HEAD, rows)]
    rows = [[_code(v), _code(o), _md(_gap_text(t))] for v, o, t in gaps(report)]
    out += ["## Never exercised", "", *_table(["vendor", "operation", "never saw"], rows)]
    return "\n".join(out).rstrip("\n") + "\n"


_ERROR_HEAD = ["vendor", "code", "status", "tags", "served", *VERDICTS]
_OCC_HEAD = ["verdict", "vendor", "code", "operation", "session", "time", "behaviour"]


def _errs(report: Report) -> list[Mapping[str, Any]]:
    return list(report.get("errors", []))


def _error_row(error: Mapping[str, Any]) -> list[str]:
    tally = Counter(o.get("verdict") for o in error.get("occurrences", []))
    return [
        _code(error.get("vendor")),
        _code(error.get("code")),
        str(error.get("status", "")),
        _md(", ".join(map(str, error.get("tags", [])))),
        str(error.get("served", 0)),
        *(str(tally[v]) for v in VERDICTS),
    ]


# ------------------------------------------------------------------ html


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;color:#1f2328;background:#fff;margin:0}
main{max-width:72rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right}code{font-size:.9em;word-break:break-all}
.ok{color:#1a7f37}.bad{color:#cf222e}.unknown{color:#57606a}
.legend{list-style:none;padding:0;display:flex;gap:1rem}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
figure{margin:1rem 0}svg text{font:13px system-ui,sans-serif;fill:#1f2328}
""".strip()


def _html(report: Report) -> str:
    body = [
        "<h1>Error-handling verdicts</h1>",
        f'<p class="summary"><strong>{_e(summary_line(report))}</strong>'
        f" ({_e(_sessions(report))})</p>",
        _legend(),
        _chart("vendor", "Verdicts per vendor", by_vendor(report)),
        _chart("tag", "Verdicts per tag", by_tag(report)),
        "<h2>Handled badly or unknown</h2>",
        _html_table(_OCC_HEAD, [_occ_cells(e, o) for e, o in noteworthy(report)]),
        "<h2>Errors served</h2>",
        _html_table(_ERROR_HEAD, [_error_cells(e) for e in _errs(report)]),
        "<h2>Never exercised</h2>",
        _html_table(
            ["vendor", "operation", "never saw"],
            [
                [f"<code>{_e(v)}</code>", f"<code>{_e(o)}</code>", _e(_gap_text(t))]
                for v, o, t in gaps(report)
            ],
        ),
    ]
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Error-handling verdicts: {_e(summary_line(report))}</title>\n"
        f"<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _sessions(report: Report) -> str:
    count = int(report.get("summary", {}).get("sessions", 0))
    return f"{count} session" if count == 1 else f"{count} sessions"


def _legend() -> str:
    items = "".join(
        f'<li><span class="swatch" style="background:{COLOURS[v]}" aria-hidden="true"></span>{v}</li>'
        for v in VERDICTS
    )
    return f'<ul class="legend" aria-label="legend">{items}</ul>'


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of cells already escaped; `none` when there are no rows."""
    if not rows:
        return "<p>none</p>"
    th = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{th}</tr></thead>\n<tbody>{trs}</tbody>\n</table>"


def _occ_cells(error: Mapping[str, Any], occ: Mapping[str, Any]) -> list[str]:
    verdict = str(occ.get("verdict", ""))
    return [
        f'<span class="{_e(verdict)}">{_e(verdict)}</span>',
        _e(error.get("vendor")),
        f"<code>{_e(error.get('code'))}</code>",
        f"<code>{_e(occ.get('operation'))}</code>",
        f"<code>{_e(occ.get('session'))}</code>",
        _e(when(occ.get("time"))),
        _e(occ.get("behaviour")),
    ]


def _error_cells(error: Mapping[str, Any]) -> list[str]:
    tally = Counter(o.get("verdict") for o in error.get("occurrences", []))
    return [
        _e(error.get("vendor")),
        f"<code>{_e(error.get('code'))}</code>",
        _e(error.get("status", "")),
        _e(", ".join(map(str, error.get("tags", [])))),
        _e(error.get("served", 0)),
        *(_e(tally[v]) for v in VERDICTS),
    ]


# one row per vendor or tag: label column, bar area, figures column (SVG user units)
_LABEL_W, _BAR_W, _ROW_H, _FIG_W = 150, 360, 26, 230


def _chart(slug: str, title: str, counts: Mapping[str, Counter[str]]) -> str:
    """A stacked bar per row (ok, bad, unknown), scaled to the largest row; figures beside."""
    if not counts:
        return f"<h2>{_e(title)}</h2>\n<p>No verdicts yet.</p>"
    top = max(sum(c[v] for v in VERDICTS) for c in counts.values()) or 1
    rows = "".join(_bar(i, name, c, top) for i, (name, c) in enumerate(counts.items()))
    height, width = _ROW_H * len(counts) + 4, _LABEL_W + _BAR_W + _FIG_W
    desc = "; ".join(f"{name}: {_figures(c)}" for name, c in counts.items())
    return (
        f'<h2 id="chart-{slug}">{_e(title)}</h2>\n<figure>'
        f'<svg role="img" aria-labelledby="chart-{slug}-t chart-{slug}-d" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}">'
        f'<title id="chart-{slug}-t">{_e(title)}</title>'
        f'<desc id="chart-{slug}-d">{_e(desc)}</desc>{rows}</svg></figure>'
    )


def _bar(index: int, name: str, counts: Counter[str], top: int) -> str:
    y, x = index * _ROW_H + 2, float(_LABEL_W)
    parts = [f'<text x="0" y="{y + 17}">{_e(name[:22])}</text>']
    for verdict in VERDICTS:
        w = round(_BAR_W * counts[verdict] / top, 1)
        if w:
            parts.append(
                f'<rect x="{x}" y="{y + 3}" width="{w}" height="{_ROW_H - 8}"'
                f' fill="{COLOURS[verdict]}"><title>{_e(name)}: {counts[verdict]} {verdict}</title></rect>'
            )
        x += w
    parts.append(f'<text x="{_LABEL_W + _BAR_W + 8}" y="{y + 17}">{_e(_figures(counts))}</text>')
    return "".join(parts)


# ------------------------------------------------------------------ json


def _json(report: Report) -> str:
    # insertion order kept: the report lists errors and verdicts in the order it chose
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": _text,
    "markdown": _markdown,
    "html": _html,
    "json": _json,
}
