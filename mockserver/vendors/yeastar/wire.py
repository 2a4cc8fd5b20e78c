"""Yeastar request/answer helpers: strict JSON bodies, scalar fields and `errcode: 0` answers."""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

from mockserver.answers.rendered import Rendered, compact_json
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.envelope import CONTENT_TYPE

if TYPE_CHECKING:
    from faker import Faker

VENDOR = "yeastar"
# A body that is not a JSON object; handlers answer 40001 PARAMETER SYNTAX ERROR for it.
INVALID: Any = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(call: Call) -> Any:
    """The request's JSON object; `{}` for an empty body, `INVALID` for anything else.

    Stricter than `json.loads`: NaN/Infinity and lone surrogates are refused, as the PBX's
    parser would, and because echoing them back could not be encoded.
    """
    body = call.snapshot.body
    if not body.strip():
        return {}
    try:
        value = json.loads(body, parse_constant=_reject_constant)
        json.dumps(value, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError):
        return INVALID
    return value if isinstance(value, dict) else INVALID


def stream_key(session: str | None) -> str | None:
    """The session as `Ids` can seed with: headers may decode to lone surrogates."""
    if session is None:
        return None
    return session.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")


def rng(call: Call) -> random.Random:
    """The session's seeded random stream."""
    return call.env.ids.rng(stream_key(call.session))


def faker(call: Call) -> Faker:
    """The session's seeded Faker."""
    return call.env.ids.faker(stream_key(call.session))


def text(value: Any) -> str | None:
    """A non-empty scalar parameter as text (numbers are accepted: PBX ids often are)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    out = str(value).strip()
    return out or None


def integer(value: Any) -> int | None:
    """An integer parameter given as a JSON number or digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = value.strip().removeprefix("-") if isinstance(value, str) else ""
    if digits.isascii() and digits.isdecimal() and len(digits) < 19:
        return int(value)
    return None


def success(**fields: Any) -> Rendered:
    """`{"errcode":0,"errmsg":"SUCCESS", ...fields}` with HTTP 200."""
    body = {"errcode": 0, "errmsg": "SUCCESS", **fields}
    return Rendered(200, compact_json(body), CONTENT_TYPE)


def required(call: Call, field: str) -> Rendered:
    """40002 PARAMETER ERROR naming a missing field (documented detail shape)."""
    return call.error("40002", field=field, validation_type="required")


def invalid(call: Call, field: str, value: Any) -> Rendered:
    """40002 PARAMETER ERROR naming a field and the value it had."""
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return call.error("40002", field=field, value=shown)
