"""One journal entry: a redacted record of one answered request, and how it is built."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.journal.redaction import (
    DEFAULT_BODY_LIMIT,
    is_oauth,
    redact_body,
    redact_headers,
    redact_pairs,
    redact_url,
)
from mockserver.request.snapshot import RequestSnapshot
from mockserver.scenarios.matching import Unfired

if TYPE_CHECKING:
    from mockserver.admin import models


# not frozen: a frozen dataclass sets each of 16 fields through object.__setattr__, which
# doubled the journal's share of a request; entries are read-only by convention
@dataclass(slots=True)
class JournalEntry:
    """One answered request, as kept in the journal.

    The request is kept raw (body truncated) and redacted whenever it is read: redacting a
    JSON body means parsing and re-serialising it, which is too dear for every request when
    most entries are never looked at. Everything that leaves the store (`headers`, `query`,
    `body`, `to_dict`) is redacted.
    """

    time: float
    session: str | None
    vendor: str
    method: str
    path: str
    raw_query: tuple[tuple[str, str], ...]
    # as received: header pairs, or the server's (immutable) case-insensitive mapping
    raw_headers: Mapping[str, str] | tuple[tuple[str, str], ...]
    raw_body: bytes
    rule: str | None
    reason: str
    outcome: str
    status: int
    latency_ms: float
    scenario: str | None = None
    body_limit: int = DEFAULT_BODY_LIMIT
    # bytes held (body kept + header names and values), for the journal's byte budget
    size: int = 0
    # rules that matched but did not fire, with why, explained when the request was decided
    unfired: tuple[Unfired, ...] = ()
    # the catalogued error (or "fault:<type>") the request was answered with, if any
    error: str | None = None
    # seconds the vendor asked the client to wait (its Retry-After), when it asked
    retry_after: float | None = None

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """Request headers with credentials blanked."""
        # names are kept as received (case and all) and lower-cased only when read
        return tuple(redact_headers({k.lower(): v for k, v in self.header_pairs()}).items())

    def header_pairs(self) -> Iterable[tuple[str, str]]:
        """Every request header as received (name case and repeats kept), unredacted."""
        raw = self.raw_headers
        return raw.items() if isinstance(raw, Mapping) else raw

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """Query parameters with credentials blanked."""
        return redact_pairs(self.raw_query, is_oauth(self.path))

    @property
    def content_type(self) -> str:
        """The body's media type, lower-cased, without parameters ("" when absent)."""
        # derived when read, not kept: most entries are never read
        for name, value in self.header_pairs():
            if name.lower() == "content-type":
                return value.split(";")[0].strip().lower()
        return ""

    @property
    def body(self) -> str:
        """The body as text, credentials blanked, truncated."""
        # the whole header, not the media type: a multipart body needs its boundary
        given = next((v for k, v in self.header_pairs() if k.lower() == "content-type"), "")
        return redact_body(self.raw_body, given, self.body_limit, is_oauth(self.path))

    def snapshot(self) -> RequestSnapshot:
        """The request rebuilt from the entry, for rule-style matching (`count`)."""
        return RequestSnapshot(
            vendor=self.vendor,
            method=self.method,
            path=self.path,
            query=list(self.raw_query),
            headers=dict(self.header_pairs()),
            body=self.raw_body,
            session=self.session,
            received_at=self.time,
        )

    def to_dict(self) -> models.JournalEntry:
        """A JSON-ready, redacted form (query as an object; repeated keys as lists)."""
        query: dict[str, Any] = {}
        for k, v in self.query:
            if k not in query:
                query[k] = v
            elif isinstance(query[k], list):
                query[k].append(v)
            else:
                query[k] = [query[k], v]
        return {
            "time": self.time,
            "session": self.session,
            "vendor": self.vendor,
            "method": self.method,
            # a callback attempt's path is the whole URL it was sent to, query and all
            "path": redact_url(self.path),
            "query": query,
            "headers": dict(self.headers),
            "body": self.body,
            "rule": self.rule,
            "reason": self.reason,
            "outcome": self.outcome,
            "status": self.status,
            "latency_ms": round(self.latency_ms, 3),
            "scenario": self.scenario,
            "error": self.error,
            "retry_after": self.retry_after,
        }


def journal_entry(
    snapshot: RequestSnapshot,
    time: float,
    outcome: str,
    status: int,
    latency_ms: float,
    rule: str | None = None,
    scenario: str | None = None,
    reason: str = "",
    unfired: tuple[Unfired, ...] = (),
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> JournalEntry:
    """Build a journal entry from a request (redaction happens when it is read).

    The one builder of entries: the journal recorder calls it positionally once per request
    (keyword binding was a measurable part of every request), other callers by keyword.

    Args:
        snapshot: the request.
        time: when it was received (wall clock, seconds since the epoch).
        outcome: error, fault, respond, passthrough, rate_limited, not_found, rejected...
        status: the HTTP status answered (0 when the connection was cut).
        latency_ms: time spent answering.
        rule: the rule that decided, if any.
        scenario: that rule's scenario.
        reason: why, in words.
        unfired: rules that matched but did not fire, with why, as decided.
        body_limit: characters of body kept.

    Returns:
        The entry, ready for `Store.record`.
    """
    # keep a little more than shown, so a body cut mid-character still decodes
    body = snapshot.body[: body_limit * 4]
    headers = snapshot.raw_headers
    size = len(body) + sum(map(len, headers.keys())) + sum(map(len, headers.values()))
    served = snapshot.served
    error, wait = (None, None) if served is None else (served[0], seconds(served[1]))
    # positional: keyword binding of 19 arguments was a measurable part of every request
    return JournalEntry(
        time,
        snapshot.session,
        snapshot.vendor,
        snapshot.method,
        snapshot.path,
        snapshot.query_all,
        # kept as is, not copied: the server's header mapping never changes after parsing
        headers,
        body,
        rule,
        reason,
        outcome,
        status,
        latency_ms,
        scenario,
        body_limit,
        size,
        unfired,
        error,
        wait,
    )


def seconds(retry_after: str | None) -> float | None:
    """A Retry-After value in seconds; None when absent or not a number of seconds.

    Vendors here send delta-seconds; an HTTP date (RFC 9110 10.2.3) is left as unknown.
    """
    if retry_after is None:
        return None
    try:
        value = float(retry_after)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
