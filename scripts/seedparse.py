"""Strict parsers for the vendors' published error tables in `catalog/seeds/` (rows as plain dicts)."""

from __future__ import annotations

import re
from typing import Any

Row = dict[str, Any]

_RC_CODE = re.compile(r"[A-Z]{3}-\d{3}")
_YS_CODE = re.compile(r"-?\d+")
_SW_CODE = re.compile(r"# Code: (\d+)")
_SW_LABELS = (
    ("Log Level", "log_level"),
    ("Message", "message"),
    ("Secondary Message", "secondary_message"),
    ("Description", "description"),
    ("Cause", "causes"),
    ("Solutions", "solutions"),
    ("Docs", "docs"),
)
_SW_OPTIONAL = frozenset({"message", "secondary_message"})
_MD_HEADING = re.compile(r"#{1,4} +(.+)")
_DOCS_BANNER = re.compile(r"(?i)(error|warning)( +- +\d+)?")
_DOCS_SECTION = re.compile(r"(?i)possible (causes|solutions)|example")
_FD_ROW = re.compile(r"([A-Z][A-Z0-9_]*[A-Z0-9]) (\S.*)")
_WX_SECTIONS = {
    "Messaging": "messaging",
    "Transaction Status": "transaction-status",
    "Event": "event",
    "Profile": "profile",
}
_WX_HEADER = "CodeMessageDescription"
_WX_MARKERS = ("Returned when", "Returned due", "Returned for", "Returns then")
_WX_CODE = re.compile(r"(\d{4})(.*)")


def _fail(line: int, why: str, text: str) -> ValueError:
    return ValueError(f"line {line}: {why}: {text!r}")


def _cells(line: str, number: int, width: int) -> list[str]:
    """Split one `| a | b | c |` markdown row into exactly `width` stripped cells."""
    body = line.strip()
    if not (body.startswith("|") and body.endswith("|")):
        raise _fail(number, "not a table row", line)
    cells = [c.strip() for c in body[1:-1].split("|")]
    if len(cells) != width or not all(cells):
        raise _fail(number, f"expected {width} non-empty cells", line)
    return cells


# --- RingCentral: one markdown table, `| Status Code(s) | Error Code | Message |` ---


def parse_ringcentral(text: str) -> list[Row]:
    """Rows of the RingCentral table; `status` is the raw status cell (typos included)."""
    lines = text.splitlines()
    start = _table_start(lines, "| Status Code(s)")
    rows = []
    for number, line in enumerate(lines[start:], start + 1):
        if not line.strip():
            raise _fail(number, "blank line inside the table", line)
        status, code, message = _cells(line, number, 3)
        if not _RC_CODE.fullmatch(code):
            raise _fail(number, "bad error code", code)
        rows.append({"code": code, "message": message, "status": status, "line": number})
    return rows


def _table_start(lines: list[str], header: str) -> int:
    """Index of the first data row after `header` and its `|---|` separator line."""
    for index, line in enumerate(lines):
        if line.startswith(header):
            if index + 1 >= len(lines) or not lines[index + 1].startswith("|--"):
                raise _fail(index + 2, "missing separator after the header", header)
            return index + 2
    raise ValueError(f"table header {header!r} not found")


# --- Yeastar: `| Error Code | Error Message | Description |`, rows may wrap onto a 2nd line ---


def parse_yeastar(text: str) -> list[Row]:
    """Rows of the Yeastar errcode table; a wrapped description is joined with one space."""
    lines = text.splitlines()
    start = _table_start(lines, "| Error Code |")
    rows: list[Row] = []
    pending: tuple[int, str] | None = None
    for number, line in enumerate(lines[start:], start + 1):
        if pending is not None:
            pending = (pending[0], f"{pending[1].rstrip()} {line.strip()}")
        elif line.startswith("| "):
            pending = (number, line)
        else:
            raise _fail(number, "expected a table row", line)
        if pending[1].rstrip().endswith("|"):
            rows.append(_yeastar_row(*pending))
            pending = None
    if pending is not None:
        raise _fail(pending[0], "table row never closed", pending[1])
    return rows


def _yeastar_row(number: int, line: str) -> Row:
    code, message, description = _cells(line, number, 3)
    if not _YS_CODE.fullmatch(code):
        raise _fail(number, "bad errcode", code)
    return {"code": code, "message": message, "description": description, "line": number}


# --- SignalWire: `# Code: N` blocks with labelled fields in a fixed order; Docs runs to the next block ---


def parse_signalwire(text: str) -> list[Row]:
    """Records of the SignalWire error list; the literal `null` (or an empty field) becomes None."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("# Code:")]
    if not starts or any(line.strip() for line in lines[: starts[0]]):
        raise ValueError("line 1: expected the file to start with a `# Code:` record")
    ends = [*starts[1:], len(lines)]
    return [_signalwire_record(lines, s, e) for s, e in zip(starts, ends, strict=True)]


def _signalwire_record(lines: list[str], start: int, end: int) -> Row:
    match = _SW_CODE.fullmatch(lines[start].rstrip())
    if not match:
        raise _fail(start + 1, "bad record header", lines[start])
    fields = _signalwire_fields(lines, start + 1, end)
    docs = fields["docs"]
    return {
        "code": match.group(1),
        "line": start + 1,
        **fields,
        "docs_title": _docs_title(docs) if docs else None,
    }


def _signalwire_fields(lines: list[str], start: int, end: int) -> dict[str, str | None]:
    """Collect each labelled field; a field's value runs until the next label line."""
    chunks: dict[str, list[str]] = {}
    order = [name for _, name in _SW_LABELS]
    current: str | None = None
    for number in range(start, end):
        line = lines[number]
        label = _label_of(line)
        if label is not None and current != "docs":
            name, value = label
            if name in chunks or (current and order.index(name) < order.index(current)):
                raise _fail(number + 1, "field out of order or repeated", line)
            chunks[name], current = [value], name
        elif current is None:
            raise _fail(number + 1, "text before the first field", line)
        else:
            chunks[current].append(line)
    missing = [n for n in order if n not in chunks and n not in _SW_OPTIONAL]
    if missing:
        raise _fail(start, f"record lacks fields {missing}", lines[start - 1])
    return {name: _field_value(chunks.get(name)) for name in order}


def _label_of(line: str) -> tuple[str, str] | None:
    for label, name in _SW_LABELS:
        if line.startswith(f"{label}:"):
            return name, line[len(label) + 1 :]
    return None


def _field_value(chunk: list[str] | None) -> str | None:
    """Join a field's lines; trailing spaces per line are padding and dropped; `null` is absent."""
    if chunk is None:
        return None
    value = "\n".join(line.rstrip() for line in chunk).strip()
    return None if value in ("", "null") else value


def _docs_title(docs: str) -> str | None:
    """The page title: the first heading before any body text, skipping the `## Error - N` banner.

    Most pages use `### title`, but some use `#`, `##` or `####`; section headings such as
    "Possible Causes" are not titles.
    """
    for line in docs.splitlines():
        match = _MD_HEADING.fullmatch(line.strip())
        if match is None:
            if line.strip():
                return None
            continue
        text = match.group(1).strip()
        if not (_DOCS_BANNER.fullmatch(text) or _DOCS_SECTION.match(text)):
            return text
    return None


# --- Fone Dynamics: the `Error Code Description` list after the "Error Codes" heading ---


def parse_fonedynamics(text: str) -> list[Row]:
    """Rows of the Fone Dynamics "Error Codes" table (the HTTP status table above it is prose)."""
    lines = text.splitlines()
    try:
        header = lines.index("Error Code Description")
    except ValueError:
        raise ValueError("header 'Error Code Description' not found") from None
    if "Error Codes" not in lines[:header]:
        raise _fail(header + 1, "table header without the 'Error Codes' heading", lines[header])
    rows = []
    for number, line in enumerate(lines[header + 1 :], header + 2):
        match = _FD_ROW.fullmatch(line.rstrip())
        if not match:
            raise _fail(number, "expected `ERROR_CODE Description`", line)
        rows.append({"code": match.group(1), "description": match.group(2), "line": number})
    return rows


# --- Webex Connect: four sections of `<code><Message><Description>` glued together ---


def parse_webexconnect(text: str) -> list[Row]:
    """Rows of the Webex Connect tables; a row without a code is another message of the previous one."""
    rows: list[Row] = []
    state = "preamble"  # preamble -> header -> <section> ... -> footnote
    for number, line in enumerate(text.splitlines(), 1):
        if line in _WX_SECTIONS:
            state = "header:" + _WX_SECTIONS[line]
        elif not line.strip() or state == "preamble":
            continue
        elif state.startswith("header:"):
            if line != _WX_HEADER:
                raise _fail(number, f"expected {_WX_HEADER!r} after the section heading", line)
            state = state.removeprefix("header:")
        elif state != "footnote" and line.lstrip().startswith("•"):
            state = "footnote"  # the closing bullet is a remark, not a row
        elif state == "footnote":
            raise _fail(number, "text after the closing footnote", line)
        else:
            previous = rows[-1]["code"] if rows and rows[-1]["section"] == state else None
            rows.append(_webex_row(line, number, state, previous))
    return rows


def _webex_row(line: str, number: int, section: str, previous: str | None) -> Row:
    match = _WX_CODE.fullmatch(line)
    code, rest = (match.group(1), match.group(2)) if match else (previous, line)
    if code is None:
        raise _fail(number, "row without a code at the start of a section", line)
    cut = min((i for i in (rest.find(m) for m in _WX_MARKERS) if i >= 0), default=-1)
    if cut <= 0:
        raise _fail(number, f"cannot split message from description at one of {_WX_MARKERS}", line)
    return {
        "code": code,
        "message": rest[:cut],
        "description": rest[cut:],
        "section": section,
        "line": number,
    }
