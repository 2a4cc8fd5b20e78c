"""Webex Connect request/answer helpers: strict JSON, seeded ids, `response[]` success bodies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from yarl import URL

from mockserver.answers.rendered import JSON, Rendered, compact_json
from mockserver.vendors.kit.call import Call

VENDOR = "webexconnect"
# A body that is not a JSON object (the messaging gateway answers 7000 Invalid JSON).
INVALID: Any = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(call: Call) -> Any:
    """The JSON object body, or `INVALID` (empty, malformed, NaN, lone surrogates, non-object)."""
    try:
        value = json.loads(call.snapshot.body, parse_constant=_reject_constant)
        json.dumps(value, ensure_ascii=False).encode()  # lone surrogates can't be echoed
    except (ValueError, UnicodeError, RecursionError):
        return INVALID
    return value if isinstance(value, dict) else INVALID


def uuid(call: Call) -> str:
    """A seeded, UUID-shaped transaction or message id."""
    session = call.session
    if session is not None:  # `Ids` seeds with UTF-8; header values may hold surrogates
        session = session.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")
    return call.env.ids.uuid(session)


def iso(timestamp: float) -> str:
    """The vendor's time format, e.g. `2024-09-04T06:42:16.520+00:00`."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def text(value: Any) -> str | None:
    """A non-empty string value, else None."""
    return value if isinstance(value, str) and value.strip() else None


def error(call: Call, key: str, data: Any) -> Rendered:
    """A catalogued v1 error; it echoes the request's `correlationid` when there is one."""
    found = text(data.get("correlationid")) if isinstance(data, dict) else None
    return call.error(key, correlationid=found) if found else call.error(key)


def item(code: str, description: str, transid: str, correlationid: str | None) -> dict[str, str]:
    """One `response[]` entry, fields in the envelope's order; correlationid only if given."""
    out = {"code": code, "description": description}
    if correlationid:
        out["correlationid"] = correlationid
    out["transid"] = transid
    return out


def v1_answer(items: list[dict[str, str]], status: int = 200) -> Rendered:
    """`{"response": [...]}` (clients read `/response/transid`)."""
    return Rendered(status, compact_json({"response": items}), JSON)


def json_answer(body: Any, status: int = 200) -> Rendered:
    """A compact JSON answer."""
    return Rendered(status, compact_json(body), JSON)


def http_url(value: Any) -> str | None:
    """`value` when it is an absolute http(s) URL the callback sender can use, else None."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return None  # documented: a URL with surrounding spaces is invalid
    try:
        url = URL(value)
        usable = url.scheme in ("http", "https") and bool(url.host) and url.port is not None
    except (ValueError, TypeError):
        return None
    return value if usable else None
