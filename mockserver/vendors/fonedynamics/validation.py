"""Fone Dynamics send-SMS validation: which catalogued ErrorCode (and field) a request earns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from yarl import URL

E164 = re.compile(r"\+[1-9]\d{6,14}")
# Documented: an alphanumeric sender is 1-11 characters; it must not look like a number.
ALPHA_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
MAX_TEXT = 1600  # undocumented; the mock's limit (ten concatenated GSM segments and change)
# Documented window for `Schedule`: at most 14 days ahead and at most 1 hour in the past
# (a past time within the hour sends now); anything outside is SCHEDULED_TIME_OUT_OF_RANGE.
MAX_SCHEDULE_AHEAD = 14 * 86400
MAX_SCHEDULE_BEHIND = 3600
METHODS = frozenset({"GET", "POST"})


@dataclass(frozen=True)
class Problem:
    """Why a message request is refused: a catalog key and, when known, the field."""

    key: str
    field: str | None = None


def problem(data: dict[str, Any], now: float) -> Problem | None:
    """The first thing wrong with a send request, checked in a fixed order."""
    checks = (
        _required(data),
        _to(data.get("To")),
        _from(data.get("From")),
        _text(data.get("Text")),
        _flag(data, "DeliveryReceipt"),
        _webhook(data, "WebhookUri", "WebhookMethod"),
        _webhook(data, "DeliveryReceiptWebhookUri", "DeliveryReceiptWebhookMethod"),
        _schedule(data.get("Schedule"), now),
    )
    return next((found for found in checks if found is not None), None)


def _required(data: dict[str, Any]) -> Problem | None:
    for name in ("To", "Text"):
        if data.get(name) in (None, ""):
            return Problem("PARAMETER_REQUIRED", name)  # documented: "'To' is required."
    return None


def _to(value: Any) -> Problem | None:
    ok = isinstance(value, str) and E164.fullmatch(value.strip()) is not None
    return None if ok else Problem("INVALID_PHONENUMBER_FORMAT", "To")


def _from(value: Any) -> Problem | None:
    if value is None or value == "":
        return None  # documented: an empty From sends from a leased number
    if not isinstance(value, str):
        return Problem("INVALID_SMS_SENDER", "From")
    sender = value.strip()
    if sender.startswith("+") or sender.isdigit():
        return None if E164.fullmatch(sender) else Problem("INVALID_PHONENUMBER_FORMAT", "From")
    return None if ALPHA_SENDER.fullmatch(sender) else Problem("INVALID_SMS_SENDER", "From")


def _text(value: Any) -> Problem | None:
    if not isinstance(value, str):
        return Problem("INVALID_SMS_TEXT", "Text")
    return Problem("PARAMETER_TOO_LONG", "Text") if len(value) > MAX_TEXT else None


def _flag(data: dict[str, Any], name: str) -> Problem | None:
    value = data.get(name)
    return None if value is None or isinstance(value, bool) else Problem("PARAMETER_INVALID", name)


def _webhook(data: dict[str, Any], uri_name: str, method_name: str) -> Problem | None:
    uri, method = data.get(uri_name), data.get(method_name)
    if uri not in (None, "") and not is_http_uri(uri):
        return Problem("INVALID_HTTP_URI_FORMAT", uri_name)
    if method not in (None, "") and not (isinstance(method, str) and method.upper() in METHODS):
        return Problem("INVALID_HTTP_METHOD", method_name)
    return None


def _schedule(value: Any, now: float) -> Problem | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem("PARAMETER_INVALID", "Schedule")
    if value < now - MAX_SCHEDULE_BEHIND or value > now + MAX_SCHEDULE_AHEAD:
        return Problem("SCHEDULED_TIME_OUT_OF_RANGE", "Schedule")
    return None


def is_http_uri(value: Any) -> bool:
    """An absolute http(s) URL with a host, as the receipt sender will need it."""
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    try:
        url = URL(value)
        return url.scheme in ("http", "https") and bool(url.host) and url.port is not None
    except (ValueError, TypeError):  # bad ports, brackets and IDNA names alike
        return False
