"""All mutable engine state behind one Store interface: scenarios, counters, windows, journal."""

from __future__ import annotations

import fnmatch
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mockserver.matching import CompiledMatch, Unfired
from mockserver.redaction import (
    DEFAULT_BODY_LIMIT,
    is_oauth,
    redact_body,
    redact_headers,
    redact_pairs,
    redact_url,
)
from mockserver.scenarios.model import Scenario
from mockserver.snapshot import RequestSnapshot
from mockserver.tables import DEFAULT_SESSION_CAP, DEFAULT_SESSION_TTL, CounterTable, WindowTable

if TYPE_CHECKING:
    from mockserver.admin import models

DEFAULT_JOURNAL_LIMIT = 10_000
DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024

ScenarioKey = tuple[str | None, str]
"""(owning session or None, scenario name)."""
RuleKey = tuple[str | None, str, str]
"""(owning session or None, scenario name, rule name)."""


# ---- journal -------------------------------------------------------------------------------


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
        }


def journal_entry(
    snapshot: RequestSnapshot,
    *,
    time: float,
    outcome: str,
    status: int,
    latency_ms: float,
    rule: str | None = None,
    scenario: str | None = None,
    reason: str = "",
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> JournalEntry:
    """Build a journal entry from a request (redaction happens when it is read).

    Args:
        snapshot: the request.
        time: when it was received (wall clock, seconds since the epoch).
        outcome: error, fault, respond, passthrough, rate_limited, not_found, rejected...
        status: the HTTP status answered (0 when the connection was cut).
        latency_ms: time spent answering.
        rule: the rule that decided, if any.
        scenario: that rule's scenario.
        reason: why, in words.
        body_limit: characters of body kept.

    Returns:
        The entry, ready for `Store.record`.
    """
    return entry_of(snapshot, time, rule, reason, outcome, status, latency_ms, scenario, body_limit)


def entry_of(
    snapshot: RequestSnapshot,
    time: float,
    rule: str | None,
    reason: str,
    outcome: str,
    status: int,
    latency_ms: float,
    scenario: str | None,
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> JournalEntry:
    """`journal_entry` with positional arguments, for the journal recorder's per-request use."""
    # keep a little more than shown, so a body cut mid-character still decodes
    body = snapshot.body[: body_limit * 4]
    headers = snapshot.raw_headers
    size = len(body) + sum(map(len, headers.keys())) + sum(map(len, headers.values()))
    # positional: keyword binding of 16 arguments was a measurable part of every request
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
    )


@dataclass(frozen=True, slots=True)
class JournalQuery:
    """A journal filter; every field given must hold (None means any).

    Attributes:
        session: entries of this session.
        vendor: entries of this vendor.
        method: entries with this HTTP method.
        path: the exact path, or a glob when it contains `*` or `?` (`*` crosses `/`).
        rule: entries decided by this rule.
        status: entries answered with this status.
        outcome: entries with this outcome.
        since: entries at or after this time.
        match: a compiled rule-style match the rebuilt request must satisfy.
        hide: outcomes left out (the admin API hides callback attempts unless asked for).
    """

    session: str | None = None
    vendor: str | None = None
    method: str | None = None
    path: str | None = None
    rule: str | None = None
    status: int | None = None
    outcome: str | None = None
    since: float | None = None
    match: CompiledMatch | None = None
    hide: frozenset[str] = frozenset()

    def accepts(self, e: JournalEntry) -> bool:
        """Whether entry `e` passes the filter."""
        if e.outcome in self.hide:
            return False
        plain = (
            (self.session, e.session),
            (self.vendor, e.vendor),
            (self.method and self.method.upper(), e.method),
            (self.rule, e.rule),
            (self.status, e.status),
            (self.outcome, e.outcome),
        )
        if any(want is not None and want != got for want, got in plain):
            return False
        if self.since is not None and e.time < self.since:
            return False
        if self.path is not None and not _path_ok(self.path, e.path):
            return False
        return self.match is None or self.match.matches(e.snapshot())


def _path_ok(pattern: str, path: str) -> bool:
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(path, pattern)
    return path == pattern


# ---- scenarios and counters ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A scenario as loaded: who owns it, when, and its place in load order.

    Attributes:
        scenario: the validated scenario.
        owner: the session owning it (its rules see only that session), or None.
        seq: load order; a replaced scenario keeps its place.
        loaded_at: engine clock at load, the origin of `active` windows.
        group: free label of where it came from (e.g. "files"), for whole-group reloads.
        salt: seed material for rules without a `seed`.
    """

    scenario: Scenario
    owner: str | None
    seq: int
    loaded_at: float
    group: str | None = None
    salt: str = ""

    @property
    def key(self) -> ScenarioKey:
        """Its identity: (owner, name)."""
        return (self.owner, self.scenario.name)


@dataclass(frozen=True, slots=True)
class Counters:
    """A rule's trigger state for one request session.

    Attributes:
        seen: matching requests inside its active window so far.
        fired: times it decided a request (also the sequence position and its hit count).
    """

    seen: int = 0
    fired: int = 0


@dataclass(frozen=True, slots=True)
class BucketKey:
    """One rate-limit bucket.

    Attributes:
        rule: the rule counting.
        session: the request session it belongs to (ignored when shared).
        value: the partition (an IP, a header value; "" for session/rule keys).
        shared: True for `key: rule`, one bucket for every session.
    """

    rule: RuleKey
    session: str | None
    value: str = ""
    shared: bool = False


class Store(Protocol):
    """Where every piece of mutable engine state lives (in memory now, Redis possible later).

    Calls are synchronous so the engine's check-and-increment cannot interleave.
    """

    @property
    def generation(self) -> int:
        """Changes whenever the set of loaded scenarios changes (engines cache by it)."""

    def scenarios(self) -> list[LoadedScenario]:
        """Every loaded scenario, in load order."""

    def swap_scenarios(self, put: Sequence[LoadedScenario], drop: Collection[ScenarioKey]) -> None:
        """Add or replace `put` and remove `drop` in one step; their old state is discarded."""

    def counters(self, rule: RuleKey, session: str | None) -> Counters:
        """A rule's trigger state for one request session."""

    def set_counters(
        self, rule: RuleKey, session: str | None, value: Counters, now: float | None = None
    ) -> None:
        """Store a rule's trigger state for one request session (`now`: it is active)."""

    def hits(self, rule: RuleKey) -> dict[str | None, int]:
        """How often the rule decided a request, per request session."""

    def window(self, bucket: BucketKey, horizon: float) -> tuple[int, float | None]:
        """Drop a rate-limit bucket's times at or before `horizon`; return (count, oldest)."""

    def push_window(self, bucket: BucketKey, stamp: float, span: float = 0.0) -> None:
        """Add an accepted request's time to a rate-limit bucket (`span`: its window)."""

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal, dropping the oldest entry when it is full."""

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        """Append entries in order, dropping (and counting) the oldest as `record` does."""

    def journal(
        self, query: JournalQuery | None = None, limit: int | None = None
    ) -> list[JournalEntry]:
        """Entries passing `query`, oldest first; `limit` keeps the newest ones."""

    def count(self, query: JournalQuery | None = None) -> int:
        """How many entries pass `query`."""

    @property
    def dropped(self) -> int:
        """Entries dropped because the journal was full."""

    def clear_journal(self, session: str | None = None) -> None:
        """Forget the journal of one session, or all of it."""

    def reset(self, session: str | None = None) -> None:
        """Forget one session's scenarios, counters, buckets and journal; or everything."""


@dataclass
class InMemoryStore:
    """The Store of a single server process.

    Attributes:
        journal_limit: entries kept; older ones are dropped and counted.
        journal_bytes: bytes of request (body kept + headers) the journal may hold; the
            oldest entries are dropped and counted past it (the newest is always kept).
        session_ttl: seconds after which an idle session's counters are forgotten.
        session_cap: sessions whose counters are kept; the least recently active go first.
    """

    journal_limit: int = DEFAULT_JOURNAL_LIMIT
    journal_bytes: int = DEFAULT_JOURNAL_BYTES
    session_ttl: float = DEFAULT_SESSION_TTL
    session_cap: int = DEFAULT_SESSION_CAP
    # called before the journal is read or written: lands records still being batched
    settle: Callable[[], None] = field(default=lambda: None, compare=False, repr=False)
    _generation: int = 0
    _scenarios: dict[ScenarioKey, LoadedScenario] = field(default_factory=dict)
    _counters: CounterTable[RuleKey, str | None, Counters] = field(init=False)
    _windows: WindowTable[BucketKey] = field(default_factory=WindowTable)
    _journal: deque[JournalEntry] = field(default_factory=deque)
    _held: int = 0  # bytes the journal's entries hold
    _dropped: int = 0

    def __post_init__(self) -> None:
        if self.journal_limit < 1:
            raise ValueError("journal_limit must be at least 1")
        if self.journal_bytes < 1:
            raise ValueError("journal_bytes must be at least 1")
        self._counters = CounterTable(self.session_ttl, self.session_cap)

    @property
    def generation(self) -> int:
        """Changes whenever the set of loaded scenarios changes."""
        return self._generation

    def scenarios(self) -> list[LoadedScenario]:
        """Every loaded scenario, in load order."""
        return sorted(self._scenarios.values(), key=lambda s: s.seq)

    def swap_scenarios(self, put: Sequence[LoadedScenario], drop: Collection[ScenarioKey]) -> None:
        """Add or replace `put` and remove `drop`; their old state is discarded."""
        gone = set(drop) | {s.key for s in put}
        self._forget(lambda rule: rule[:2] in gone)
        for key in drop:
            self._scenarios.pop(key, None)
        self._scenarios.update((s.key, s) for s in put)
        self._generation += 1

    def _forget(self, doomed: Callable[[RuleKey], bool]) -> None:
        self._counters.drop_rules(doomed)
        self._windows.drop(lambda bucket: doomed(bucket.rule))

    def counters(self, rule: RuleKey, session: str | None) -> Counters:
        """A rule's trigger state for one request session."""
        return self._counters.get(rule, session) or _ZERO

    def set_counters(
        self, rule: RuleKey, session: str | None, value: Counters, now: float | None = None
    ) -> None:
        """Store a rule's trigger state; `now` marks the session active (see CounterTable)."""
        self._counters.set(rule, session, value, now)

    def hits(self, rule: RuleKey) -> dict[str | None, int]:
        """How often the rule decided a request, per request session."""
        # indexed by rule: listing every rule's hits reads each counter once
        return {s: c.fired for s, c in self._counters.of_rule(rule).items() if c.fired}

    def window(self, bucket: BucketKey, horizon: float) -> tuple[int, float | None]:
        """Drop a bucket's times at or before `horizon`; return (count, oldest)."""
        return self._windows.slide(bucket, horizon)

    def push_window(self, bucket: BucketKey, stamp: float, span: float = 0.0) -> None:
        """Add an accepted request's time to a bucket; `span` is its window, for sweeping."""
        self._windows.push(bucket, stamp, span)

    def footprint(self) -> dict[str, int]:
        """How much per-key state is held: journal entries and bytes, counters, buckets."""
        self.settle()
        return {
            "journal_entries": len(self._journal),
            "journal_bytes": self._held,
            "counters": len(self._counters),
            "sessions": self._counters.sessions,
            "rate_buckets": len(self._windows),
        }

    def record(self, entry: JournalEntry) -> None:
        """Append to the journal, dropping (and counting) the oldest when full."""
        self.record_many((entry,))

    def record_many(self, entries: Sequence[JournalEntry]) -> None:
        """Append entries in order, dropping (and counting) the oldest past either bound."""
        self.settle()
        journal = self._journal
        journal.extend(entries)
        self._held += sum(e.size for e in entries)
        while len(journal) > self.journal_limit or (
            self._held > self.journal_bytes and len(journal) > 1
        ):
            self._held -= journal.popleft().size
            self._dropped += 1

    def journal(
        self, query: JournalQuery | None = None, limit: int | None = None
    ) -> list[JournalEntry]:
        """Entries passing `query`, oldest first; `limit` keeps the newest ones."""
        self.settle()
        found = [e for e in self._journal if query is None or query.accepts(e)]
        return found[-limit:] if limit else found

    def count(self, query: JournalQuery | None = None) -> int:
        """How many entries pass `query`."""
        self.settle()
        return sum(1 for e in self._journal if query is None or query.accepts(e))

    @property
    def dropped(self) -> int:
        """Entries dropped because the journal was full."""
        self.settle()
        return self._dropped

    def clear_journal(self, session: str | None = None) -> None:
        """Forget the journal of one session, or all of it."""
        self.settle()
        if session is None:
            self._journal.clear()
            self._held = 0
            self._dropped = 0
        else:
            self._journal = deque(e for e in self._journal if e.session != session)
            self._held = sum(e.size for e in self._journal)

    def reset(self, session: str | None = None) -> None:
        """Forget one session's scenarios, counters, buckets and journal; or everything."""
        self.clear_journal(session)
        if session is None:
            self._scenarios.clear()
            self._counters.clear()
            self._windows.clear()
            self._generation += 1
            return
        owned = [k for k in self._scenarios if k[0] == session]
        self.swap_scenarios((), owned)
        self._counters.drop_sessions(lambda s: s == session)
        self._windows.drop(lambda k: not k.shared and k.session == session)


_ZERO = Counters()
