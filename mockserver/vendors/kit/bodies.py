"""Strict request-body parsing every vendor shares: JSON as a vendor's parser would accept it."""

from __future__ import annotations

import json
from typing import Any


class MalformedBody(ValueError):
    """A request body the vendor's own parser would refuse."""


def _refuse_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not JSON")


def strict_json(raw: bytes) -> Any:
    """The JSON value of `raw`, stricter than `json.loads`.

    NaN/Infinity are refused (not JSON), and so are lone surrogates: they parse, but can be
    neither stored nor echoed as UTF-8, so every vendor's parser refuses such a body too.
    Raises MalformedBody, whatever the reason (bad UTF-8, too deep, trailing data...).
    """
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
        json.dumps(value, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError) as err:
        raise MalformedBody(str(err)) from None
    return value


def is_blank(raw: bytes) -> bool:
    """An empty or whitespace-only body (most vendors read it as "no fields")."""
    return not raw.strip()
