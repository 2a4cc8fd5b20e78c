"""Relevance of a catalog entry to free text: code, message, tags, status and synonyms."""

from __future__ import annotations

import re

from mockserver.catalog.model import CatalogEntry

# Words integrators type for a family of errors; any member of a group finds the others.
SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"rate limit", "rate-limit", "throttle", "throttled", "too many requests", "429"}),
    frozenset({"auth", "unauthorized", "unauthenticated", "401", "token", "credentials"}),
    frozenset({"forbidden", "permission", "403", "not allowed"}),
    frozenset({"not found", "not-found", "404", "missing"}),
    frozenset({"timeout", "timed out", "408", "504"}),
    frozenset({"server error", "server", "500", "internal"}),
    frozenset({"unavailable", "503", "maintenance"}),
    frozenset({"validation", "invalid", "400", "bad request"}),
    frozenset({"billing", "balance", "funds", "payment", "402"}),
)

# What one term scores where it is found; a code hit outranks a word in the description.
_CODE, _STATUS, _TAG, _MESSAGE, _TEXT = 100, 40, 30, 20, 5
_SPACES = re.compile(r"[\s_-]+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip()


def expand(query: str) -> tuple[str, frozenset[str]]:
    """The normalised query and the synonyms of it (or of any of its words)."""
    needle = _norm(query)
    words = {needle, *needle.split(" ")}
    extra: set[str] = set()
    for group in SYNONYMS:
        normed = {_norm(term) for term in group}
        if words & normed:
            extra |= normed
    extra.discard(needle)
    return needle, frozenset(extra)


def score(entry: CatalogEntry, needle: str, synonyms: frozenset[str]) -> int:
    """How well `entry` answers the query: 0 means not at all."""
    best = _term_score(entry, needle)
    for term in synonyms:
        # a synonym counts for less than what was typed, so exact wording ranks first
        best = max(best, _term_score(entry, term) // 2)
    return best


def _term_score(entry: CatalogEntry, term: str) -> int:
    if term in (_norm(entry.code), _norm(entry.key)):
        return _CODE
    if term == str(entry.http_status):
        return _STATUS
    if any(term == _norm(tag) for tag in entry.tags):
        return _TAG
    if term in _norm(entry.message):
        return _MESSAGE
    text = " ".join((entry.key, entry.description or "", entry.docs_title or ""))
    return _TEXT if term in _norm(text) else 0
