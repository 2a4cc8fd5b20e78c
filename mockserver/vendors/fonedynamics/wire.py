"""Fone Dynamics request/answer helpers: strict JSON, seeded randomness, PascalCase answers."""

from __future__ import annotations

import json
import random
from typing import Any

from mockserver.answers.rendered import Rendered, compact_json
from mockserver.vendors.fonedynamics.envelope import CONTENT_TYPE
from mockserver.vendors.kit.call import Call

VENDOR = "fonedynamics"
# A body that is not JSON (ServiceStack's deserializer would throw); see docs for the code.
INVALID: Any = object()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(call: Call) -> Any:
    """The parsed JSON body; `{}` when empty; `INVALID` when it does not parse strictly."""
    body = call.snapshot.body
    if not body.strip():
        return {}
    try:
        value = json.loads(body, parse_constant=_reject_constant)
        json.dumps(value, ensure_ascii=False).encode()  # lone surrogates can't be echoed
    except (ValueError, UnicodeError, RecursionError):
        return INVALID
    return value


def rng(call: Call) -> random.Random:
    """The session's seeded random stream (`Ids` seeds with UTF-8, so escape surrogates)."""
    session = call.session
    if session is not None:
        session = session.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace")
    return call.env.ids.rng(session)


def answer(body: Any, status: int = 200) -> Rendered:
    """A compact JSON answer in the vendor's content type."""
    return Rendered(status, compact_json(body), CONTENT_TYPE)


def field_error(call: Call, key: str, field: str | None) -> Rendered:
    """A catalogued error naming the offending field in `Errors[].FieldName`, when known."""
    return call.error(key, FieldName=field) if field else call.error(key)
