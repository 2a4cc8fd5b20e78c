"""Yeastar request/answer helpers: JSON bodies, scalar fields, 40002 details, `errcode: 0` answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NoReturn

from mockserver.answers.rendered import Rendered, compact_json
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.envelope import CONTENT_TYPE

if TYPE_CHECKING:
    pass


def body(call: Call) -> dict[str, Any]:
    """The request's JSON object (`{}` when empty); anything else is 40001 PARAMETER SYNTAX ERROR."""
    found: dict[str, Any] = call.json("40001")
    return found


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
    answer = {"errcode": 0, "errmsg": "SUCCESS", **fields}
    return Rendered(200, compact_json(answer), CONTENT_TYPE)


def required(call: Call, field: str) -> NoReturn:
    """Reject with 40002 PARAMETER ERROR naming a missing field (documented detail shape)."""
    call.reject("40002", field=field, validation_type="required")


def invalid(call: Call, field: str, value: Any) -> NoReturn:
    """Reject with 40002 PARAMETER ERROR naming a field and the value it had."""
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    call.reject("40002", field=field, value=shown)


def positive(call: Call, name: str, default: int) -> int:
    """A positive integer query parameter (`page`, `page_size`); 40002 naming it otherwise."""
    raw = call.snapshot.query.get(name)
    if raw is None:
        return default
    digits = raw.strip()
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > 9 or int(digits) < 1:
        invalid(call, name, raw)
    return int(digits)
