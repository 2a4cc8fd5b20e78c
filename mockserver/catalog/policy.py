"""What every vendor's catalog policy shares: entry fields, HTTP-status tags, keyword tagging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

Row = dict[str, Any]
Entry = dict[str, Any]


def status(http: int, origin: str, rule: str, documented: Iterable[int] = ()) -> Entry:
    """The `http_status` + `status` fields of an entry."""
    info = {"origin": origin, "rule": rule, "documented": list(documented)}
    return {"http_status": http, "status": info}


def retry(flag: bool, reason: str) -> Entry:
    """The `retryable` + `retry_reason` fields of an entry."""
    return {"retryable": flag, "retry_reason": reason}


def unique(tags: Iterable[str]) -> list[str]:
    """Tags in first-seen order without repeats."""
    return list(dict.fromkeys(tags))


def keyword_tags(text: str, table: Iterable[tuple[re.Pattern[str], tuple[str, ...]]]) -> list[str]:
    """Every tag whose pattern occurs in `text`."""
    return [tag for pattern, tags in table if pattern.search(text) for tag in tags]


# Shared by every vendor: the tag an HTTP status class implies.
STATUS_TAGS = {
    400: ("validation",),
    401: ("auth",),
    403: ("permission",),
    404: ("not-found",),
    405: ("unsupported",),
    406: ("conflict",),  # RingCentral MSG-343: not allowed in the message's current state
    413: ("limit",),
    415: ("unsupported", "media"),
    416: ("validation",),
    426: ("unsupported",),
    429: ("rate-limit",),
    500: ("server",),
    501: ("unsupported", "server"),
    503: ("server",),
    504: ("server", "timeout"),
}


def status_tags(http: int, delivery: str) -> tuple[str, ...]:
    """An async entry's status is only what it would be if forced onto HTTP: 5xx still says server."""
    return STATUS_TAGS.get(http, ()) if delivery == "sync" or http >= 500 else ()


NOT_AN_ERROR = retry(False, "Not an error: nothing to retry.")
