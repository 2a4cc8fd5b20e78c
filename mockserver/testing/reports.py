"""Verdict reports of many sessions merged into one, summed up in a line, written to a file."""

from __future__ import annotations

import importlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Report = dict[str, Any]
VERDICTS = ("ok", "bad", "unknown")
COUNTS = ("served", *VERDICTS, "sessions")
# --mockserver-report's format, by the file's suffix
FORMATS = {".json": "json", ".md": "markdown", ".html": "html", ".htm": "html", ".txt": "text"}
# how many bad occurrences the terminal line names before "+N more"
SHOWN = 3
_MORE = re.compile(r"^\+(\d+) more$")


def empty() -> Report:
    """A report with nothing served."""
    summary: dict[str, Any] = dict.fromkeys(COUNTS, 0)
    summary["by_tag"] = {}
    return {"errors": [], "coverage": {}, "summary": summary}


def merge(reports: Iterable[Mapping[str, Any]]) -> Report:
    """One report for many sessions: counts summed, occurrences in time order."""
    merged = empty()
    errors: dict[tuple[str, str], Report] = {}
    for report in reports:
        for error in report["errors"]:
            _add_error(errors, error)
        for vendor, data in report["coverage"].items():
            operations = merged["coverage"].setdefault(vendor, {"operations": {}})["operations"]
            for name, operation in data["operations"].items():
                _add_operation(operations.setdefault(name, {}), operation)
        _add_summary(merged["summary"], report["summary"])
    for error in errors.values():
        error["occurrences"].sort(key=lambda o: o["time"])
    merged["errors"] = list(errors.values())
    for data in merged["coverage"].values():
        for operation in data["operations"].values():
            _drop_served(operation)
    return merged


def _add_error(errors: dict[tuple[str, str], Report], error: Mapping[str, Any]) -> None:
    key = (error["vendor"], error["key"])
    if key not in errors:
        errors[key] = {**error, "served": 0, "occurrences": []}
    errors[key]["served"] += error["served"]
    errors[key]["occurrences"].extend(error["occurrences"])


def _add_operation(into: Report, operation: Mapping[str, Any]) -> None:
    served = into.setdefault("served", {})
    for key, count in operation["served"].items():
        served[key] = served.get(key, 0) + count
    missing = into.setdefault("not_exercised", {})
    for tag, keys in operation["not_exercised"].items():
        known = missing.setdefault(tag, [])
        known.extend(k for k in keys if k not in known)


def _drop_served(operation: Report) -> None:
    """An error one session never saw but another did was exercised after all."""
    for tag, keys in operation["not_exercised"].items():
        kept = [k for k in keys if k not in operation["served"] and not _MORE.match(k)]
        # sessions each cut their list at a different point: the largest remainder is a floor
        more = max((int(m.group(1)) for k in keys if (m := _MORE.match(k))), default=0)
        operation["not_exercised"][tag] = kept + ([f"+{more} more"] if more else [])


def _add_summary(into: Report, summary: Mapping[str, Any]) -> None:
    for name in COUNTS:
        into[name] += summary.get(name, 0)
    for tag, counts in summary.get("by_tag", {}).items():
        mine = into["by_tag"].setdefault(tag, dict.fromkeys(VERDICTS, 0))
        for verdict in VERDICTS:
            mine[verdict] += counts.get(verdict, 0)


def summary_line(report: Mapping[str, Any]) -> str:
    """`mockserver: 12 errors served, 2 handled badly: 20429 on POST .../x retried ...; ...`."""
    summary = report["summary"]
    if not summary["served"]:
        return "mockserver: no catalogued error served"
    served = summary["served"]
    line = f"mockserver: {served} error{'s' if served != 1 else ''} served, "
    line += f"{summary['bad']} handled badly"
    # the same misstep in many sessions is one item, counted
    seen = Counter(
        f"{error['key']} on {o['method']} {_short(o['path'])} {o['behaviour']}"
        for error in report["errors"]
        for o in error["occurrences"]
        if o["verdict"] == "bad"
    )
    bad = [f"{text} (x{count})" if count > 1 else text for text, count in seen.items()]
    if summary["unknown"]:
        line += f", {summary['unknown']} unknown"
    if not bad:
        return line
    shown = "; ".join(bad[:SHOWN])
    more = f"; +{len(bad) - SHOWN} more" if len(bad) > SHOWN else ""
    return f"{line}: {shown}{more}"


def _short(path: str) -> str:
    """`.../Messages.json` for a long path: the line names the operation, not the account."""
    parts = path.rstrip("/").rsplit("/", 1)
    return f".../{parts[1]}" if len(parts) == 2 and parts[0] else path


def format_for(path: Path) -> str:
    """The report format a file name asks for; ValueError for an unknown suffix."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"{path}: unknown report format (suffixes: {known})") from None


def render(report: Mapping[str, Any], fmt: str) -> str:
    """The report as text in `fmt`; JSON here, the rest by mockserver's report formats."""
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    # imported by name: the formats are the server's, not a dependency of the test helpers
    formats = importlib.import_module("mockserver.verdicts.formats")
    text: str = formats.render(dict(report), fmt)
    return text


def write(report: Mapping[str, Any], path: Path) -> None:
    """Write the report to `path`, in the format its suffix names."""
    text = render(report, format_for(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
