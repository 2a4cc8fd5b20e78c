"""`mockserver catalog import-captures DIR`: what `--record` saw that the catalog does not say.

Each recorded error answer (status 400 and up) is read for the vendor's code and message,
wherever its envelope keeps them, and compared with the catalog: a code the catalog lacks, a
message worded differently, or another HTTP status is proposed as a unified diff of the
catalog entry, for a person to review and carry into the seed (the catalog is generated from
it). Nothing is ever written.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.catalog.model import Catalog

CODE_KEYS = ("errorCode", "code", "errcode", "error_code", "ErrorCode", "error")
MESSAGE_KEYS = ("message", "errmsg", "detail", "description", "error_description", "Message")


@dataclass(frozen=True)
class Observed:
    """One vendor error seen in a capture."""

    vendor: str
    code: str
    message: str
    status: int
    file: str


def observed(folder: Path) -> Iterator[Observed]:
    """Every error answer in the folder's captures that names a code."""
    for path in sorted(folder.glob("*.json")):
        try:
            capture = json.loads(path.read_text())
            response = capture["response"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not isinstance(response, dict) or int(response.get("status", 0)) < 400:
            continue
        found = _code_and_message(response.get("body", ""))
        if found is not None:
            yield Observed(capture["vendor"], *found, int(response["status"]), path.name)


def _code_and_message(body: str) -> tuple[str, str] | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    for node in _dicts(data):
        code = next((node[k] for k in CODE_KEYS if isinstance(node.get(k), str | int)), None)
        if code is not None and not isinstance(code, bool):
            message = next((node[k] for k in MESSAGE_KEYS if isinstance(node.get(k), str)), "")
            return str(code), message
    return None


def _dicts(data: Any) -> Iterator[dict[str, Any]]:
    """Objects outermost first: an envelope's own code wins over its details'."""
    queue = [data]
    while queue:
        node = queue.pop(0)
        if isinstance(node, dict):
            yield node
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)


def proposals(catalog: Catalog, seen: Iterator[Observed]) -> str:
    """A unified diff per catalog entry that the captures contradict or lack ("" when none)."""
    out: list[str] = []
    done: set[tuple[str, str, str, int]] = set()
    for item in seen:
        key = (item.vendor, item.code, item.message, item.status)
        if key in done or item.vendor not in catalog.vendors:
            continue
        done.add(key)
        out += _diff(catalog, item)
    return "".join(out)


def _diff(catalog: Catalog, item: Observed) -> list[str]:
    entries = [e for e in catalog.vendor(item.vendor) if e.code == item.code]
    name = f"catalog/{item.vendor}.yaml"
    if not entries:
        after = {"code": item.code, "message": item.message, "http_status": item.status}
        after["status"] = {"origin": "observed", "capture": item.file}
        return _unified(name, [], _yaml([after]), f"new code {item.code} ({item.file})")
    entry = entries[0]
    before = {"code": entry.code, "message": entry.message, "http_status": entry.http_status}
    after = {**before, "http_status": item.status}
    if item.message and " ".join(item.message.split()) != " ".join(entry.message.split()):
        after["message"] = item.message
    if after == before:
        return []
    return _unified(name, _yaml([before]), _yaml([after]), f"{item.code} as seen in {item.file}")


def _yaml(entries: list[dict[str, Any]]) -> list[str]:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100)
    return text.splitlines(keepends=True)


def _unified(name: str, before: list[str], after: list[str], why: str) -> list[str]:
    head = [f"# {why}\n"]
    return head + list(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
