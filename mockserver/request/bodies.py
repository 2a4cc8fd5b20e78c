"""Strict request-body parsing: JSON as a vendor's parser would accept it, shared by all vendors."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote


class MalformedBody(ValueError):
    """A request body the vendor's own parser would refuse."""


def _refuse_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not JSON")


# json.loads(raw, parse_constant=...) builds a decoder per call; this one is what it builds
_STRICT = json.JSONDecoder(parse_constant=_refuse_constant)


def strict_json(raw: bytes) -> Any:
    """The JSON value of `raw`, stricter than `json.loads`.

    NaN/Infinity are refused (not JSON), and so are lone surrogates: they parse, but can be
    neither stored nor echoed as UTF-8, so every vendor's parser refuses such a body too.
    Raises MalformedBody, whatever the reason (bad UTF-8, too deep, trailing data...).
    """
    try:
        encoding = json.detect_encoding(raw)
        # exactly json.loads on bytes: decoded as detected, surrogates passed to the check
        value = _STRICT.decode(raw.decode(encoding, "surrogatepass"))
        if _may_hold_surrogates(raw, encoding):
            json.dumps(value, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError) as err:
        raise MalformedBody(str(err)) from None
    return value


def _may_hold_surrogates(raw: bytes, encoding: str) -> bool:
    # in a UTF-8 body a surrogate gets in only as a `\u` escape or as encoded surrogate bytes
    # (0xED 0xA0-0xBF, which json.loads lets through); UTF-16/32 bodies are always checked.
    # Without any of these the costly re-encoding check is skipped (5% of an SMS send)
    return encoding != "utf-8" or b"\\u" in raw or b"\xed" in raw


def is_blank(raw: bytes) -> bool:
    """An empty or whitespace-only body (most vendors read it as "no fields")."""
    return not raw.strip()


# the ASCII escapes (`%2B`, `%3a`...): most form values carry only these
_ASCII_ESCAPES = {f"{n:02x}": chr(n) for n in range(128)} | {f"{n:02X}": chr(n) for n in range(128)}


def parse_form(text: str) -> tuple[tuple[str, str], ...]:
    """`urllib.parse.parse_qsl(text, keep_blank_values=True)`, without its generic overhead.

    Forms are what SignalWire's and Fone Dynamics' clients send; parse_qsl and its
    `unquote` were a tenth of such a request. tests/test_kit_bodies.py checks the two agree.
    """
    out = []
    for piece in text.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            out.append((_unquote_plus(name), _unquote_plus(value)))
    return tuple(out)


def _unquote_plus(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    head, *rest = text.split("%")
    out = [head]
    for part in rest:
        char = _ASCII_ESCAPES.get(part[:2])
        if char is None:  # a non-ASCII byte (UTF-8 across escapes) or a stray "%"
            return unquote(text)
        out.append(char)
        out.append(part[2:])
    return "".join(out)
