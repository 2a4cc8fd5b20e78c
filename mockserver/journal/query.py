"""Journal filters: which entries a query (session, vendor, path, outcome...) selects."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from mockserver.journal.entry import JournalEntry
from mockserver.scenarios.matching import CompiledMatch


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
