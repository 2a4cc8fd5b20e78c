"""All mutable engine state behind one Store interface: scenarios, counters, windows, journal."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from mockserver.journal.entry import JournalEntry
from mockserver.journal.query import JournalQuery
from mockserver.scenarios.model import Scenario
from mockserver.store.tables import (
    DEFAULT_SESSION_CAP,
    DEFAULT_SESSION_TTL,
    CounterTable,
    WindowTable,
)

DEFAULT_JOURNAL_LIMIT = 10_000
DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024

ScenarioKey = tuple[str | None, str]
"""(owning session or None, scenario name)."""
RuleKey = tuple[str | None, str, str]
"""(owning session or None, scenario name, rule name)."""


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
        stamp: this load's identity in a shared store ("" for configured rules, which every
            replica loads itself and whose counters they share).
    """

    scenario: Scenario
    owner: str | None
    seq: int
    loaded_at: float
    group: str | None = None
    salt: str = ""
    stamp: str = ""

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
