"""Fone Dynamics request/answer helpers: id formats, PascalCase JSON answers, field-naming refusals."""

from __future__ import annotations

from typing import Any, NoReturn

from mockserver.answers.rendered import Rendered, compact_json
from mockserver.vendors.fonedynamics.envelope import CONTENT_TYPE
from mockserver.vendors.kit.call import Call


def message_sid(call: Call) -> str:
    """`MS` + 32 upper-case hex digits (SDK), seeded per session so `--seed` reproduces it."""
    return "MS" + "".join(call.rng.choice("0123456789ABCDEF") for _ in range(32))


def mobile_number(call: Call) -> str:
    """A seeded Australian mobile number, `+614` and eight digits."""
    return "+614" + "".join(str(call.rng.randint(0, 9)) for _ in range(8))


def answer(body: Any, status: int = 200) -> Rendered:
    """A compact JSON answer in the vendor's content type."""
    return Rendered(status, compact_json(body), CONTENT_TYPE)


def reject_field(call: Call, key: str, field: str | None) -> NoReturn:
    """Refuse with a catalogued error naming the offending field in `Errors[].FieldName`."""
    if field:
        call.reject(key, FieldName=field)
    call.reject(key)


def query_number(call: Call, name: str) -> int | None:
    """A non-negative integer query parameter, None when absent or empty."""
    raw = call.snapshot.query.get(name)
    if raw is None or raw == "":
        return None
    digits = raw.strip()
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > 12:
        reject_field(call, "PARAMETER_INVALID", name)
    return int(digits)
