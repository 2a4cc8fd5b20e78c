"""Webex Connect request/answer helpers: JSON bodies, seeded ids, times, `response[]` answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NoReturn

from yarl import URL

from mockserver.answers.rendered import JSON, Rendered, compact_json
from mockserver.vendors.kit.call import REQUIRED, Call


def json_object(call: Call, malformed: str = "7000") -> dict[str, Any]:
    """The JSON object body; anything else (empty, malformed, NaN, an array) is `malformed`."""
    data: dict[str, Any] = call.json(malformed, empty=REQUIRED)
    return data


def reject_echoing(call: Call, key: str, data: dict[str, Any]) -> NoReturn:
    """Reject with a catalogued v1 error that echoes the request's `correlationid`, if any."""
    found = text(data.get("correlationid"))
    if found:
        call.reject(key, correlationid=found)
    call.reject(key)


def uuid(call: Call) -> str:
    """A seeded, UUID-shaped transaction or message id."""
    return call.env.ids.uuid(call.session)


def iso(timestamp: float) -> str:
    """The vendor's time format, e.g. `2024-09-04T06:42:16.520+00:00`."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def text(value: Any) -> str | None:
    """A non-empty string value, else None."""
    return value if isinstance(value, str) and value.strip() else None


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
