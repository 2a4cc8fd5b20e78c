"""The verdicts report: every served error judged, coverage per operation, and a summary.

The JSON shape is documented by schemas/report.schema.json (the formats render this dict).
Coverage lists, per operation the client used, the vendor's errors it never met, grouped by
`COVERAGE_TAGS`. The catalog does not tie codes to endpoints, so "relevant to an operation"
is: every synchronous entry of the vendor with that tag (asynchronous ones for `delivery`,
which callbacks carry), not served on that operation; each list keeps the first
`NOT_EXERCISED_SHOWN` (the vendor's own rate-limit, not-found and too-large answers first,
then catalog order) and ends with "+N more" when it is longer.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from typing_extensions import TypedDict

from mockserver.catalog.model import Catalog, CatalogEntry
from mockserver.journal.entry import JournalEntry
from mockserver.journal.redaction import redact_url
from mockserver.vendors.base import Vendor
from mockserver.verdicts.operations import Operations, credential_fingerprint, request_fingerprint
from mockserver.verdicts.rules import (
    HAMMER_WINDOW,
    VERDICTS,
    After,
    Attempt,
    Guidance,
    Judgement,
    Verdict,
    judge,
)

COVERAGE_TAGS: Final = ("auth", "rate-limit", "validation", "server", "delivery")
NOT_EXERCISED_SHOWN: Final = 5
FAULT_PREFIX: Final = "fault:"
# a fault is no catalogued error: the client should retry it with backoff, as a 5xx
FAULT_TAGS: Final = ("fault",)
# the mock's own outgoing callbacks are in the journal too; they are not the client's moves
CALLBACK_OUTCOME: Final = "callback_attempt"


class Occurrence(TypedDict):
    """One served error and the verdict on what the client did next."""

    session: str | None
    time: float
    operation: str
    method: str
    path: str
    verdict: Verdict
    behaviour: str


class ServedError(TypedDict):
    """One catalogued error (or fault) of a vendor, each time it was served."""

    vendor: str
    key: str
    code: str
    status: int
    tags: list[str]
    served: int
    occurrences: list[Occurrence]


class OperationCoverage(TypedDict):
    """Errors served on one operation, and its relevant errors never served, by tag."""

    served: dict[str, int]
    not_exercised: dict[str, list[str]]


class VendorCoverage(TypedDict):
    """Coverage of each operation of a vendor the client used."""

    operations: dict[str, OperationCoverage]


class TagCounts(TypedDict):
    """Verdicts on errors carrying one tag."""

    ok: int
    bad: int
    unknown: int


class Summary(TypedDict):
    """Counts over the whole report."""

    served: int
    ok: int
    bad: int
    unknown: int
    sessions: int
    by_tag: dict[str, TagCounts]


class Report(TypedDict):
    """The verdicts report (schemas/report.schema.json)."""

    errors: list[ServedError]
    coverage: dict[str, VendorCoverage]
    summary: Summary


@dataclass(frozen=True, slots=True)
class Judged:
    """One served error, judged."""

    entry: JournalEntry
    operation: str
    judgement: Judgement


@dataclass
class _Build:
    """The state of one report build: catalog look-ups and operation names are cached."""

    catalog: Catalog
    operations: Operations
    judged: list[Judged] = field(default_factory=list)
    used: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)


def build_report(
    entries: Iterable[JournalEntry], catalog: Catalog, vendors: Mapping[str, Vendor]
) -> Report:
    """The report over journal entries (oldest first), e.g. one session's."""
    build = _Build(catalog, Operations(vendors))
    groups: dict[tuple[str | None, str, str], list[JournalEntry]] = {}
    sessions: set[str | None] = set()
    for e in entries:
        if e.outcome == CALLBACK_OUTCOME:
            continue
        operation = build.operations.of(e.vendor, e.method, e.path)
        groups.setdefault((e.session, e.vendor, operation), []).append(e)
        sessions.add(e.session)
    for (_, vendor, operation), group in groups.items():
        served = build.used.setdefault((vendor, operation), Counter())
        served.update(e.error for e in group if e.error is not None)
        if any(e.error is not None for e in group):
            build.judged.extend(_judge_group(build, operation, group))
    return {
        "errors": _errors(build),
        "coverage": _coverage(build),
        "summary": _summary(build, len(sessions)),
    }


def _judge_group(build: _Build, operation: str, group: list[JournalEntry]) -> Iterable[Judged]:
    """Judge each served error of one session's requests on one operation."""
    group = sorted(group, key=lambda e: e.time)
    attempts = [Attempt(e.time, request_fingerprint(e), credential_fingerprint(e)) for e in group]
    afters = _afters(attempts)
    refused: set[tuple[str, object]] = set()
    for i, e in enumerate(group):
        if e.error is None:
            continue
        guidance = _guidance(build.catalog, e)
        shape = (e.error, attempts[i].request)
        judgement = judge(guidance, attempts[i], afters[i], shape in refused)
        if not guidance.retryable:
            refused.add(shape)
        yield Judged(e, operation, judgement)


def _afters(attempts: Sequence[Attempt]) -> list[After]:
    """`After` for every request of a group sorted by time, in one pass each way.

    The same as `rules.after` on each tail, without its cost (quadratic in the group).
    """
    times = [a.time for a in attempts]
    repeats: list[int] = [0] * len(attempts)
    seen: Counter[object] = Counter()
    for i in range(len(attempts) - 1, -1, -1):
        repeats[i] = seen[attempts[i].request]
        seen[attempts[i].request] += 1
    out = []
    for i, a in enumerate(attempts):
        end = bisect.bisect_right(times, a.time + HAMMER_WINDOW, lo=i + 1)
        quick = end - i - 1
        following = attempts[i + 1] if i + 1 < len(attempts) else None
        out.append(After(following, quick, times[end - 1] - a.time if quick else 0.0, repeats[i]))
    return out


def _guidance(catalog: Catalog, e: JournalEntry) -> Guidance:
    key = e.error or ""
    if key.startswith(FAULT_PREFIX):
        return Guidance(True, e.status, FAULT_TAGS)
    entry = catalog.get(e.vendor, key)
    if entry is None:  # a catalog without it (an older file): judged as not retryable
        return Guidance(False, e.status, (), e.retry_after)
    return Guidance(entry.retryable, e.status, entry.tags, e.retry_after)


def _described(catalog: Catalog, vendor: str, key: str) -> tuple[str, tuple[str, ...]]:
    """The code and tags of a served key (a fault's code is its type)."""
    if key.startswith(FAULT_PREFIX):
        return key.removeprefix(FAULT_PREFIX), FAULT_TAGS
    entry = catalog.get(vendor, key)
    return (entry.code, entry.tags) if entry is not None else (key, ())


def _errors(build: _Build) -> list[ServedError]:
    """Served errors grouped by (vendor, key), each with its occurrences in time order."""
    grouped: dict[tuple[str, str], list[Judged]] = {}
    for j in sorted(build.judged, key=lambda j: j.entry.time):
        grouped.setdefault((j.entry.vendor, j.entry.error or ""), []).append(j)
    out: list[ServedError] = []
    for (vendor, key), judged in sorted(grouped.items()):
        code, tags = _described(build.catalog, vendor, key)
        out.append(
            {
                "vendor": vendor,
                "key": key,
                "code": code,
                # as the client saw it (the first time): a vendor may answer a code with
                # another status than the catalogued one (Yeastar's HTTP 200, a 413)
                "status": judged[0].entry.status,
                "tags": list(tags),
                "served": len(judged),
                "occurrences": [_occurrence(j) for j in judged],
            }
        )
    return out


def _occurrence(j: Judged) -> Occurrence:
    e = j.entry
    return {
        "session": e.session,
        "time": e.time,
        "operation": j.operation,
        "method": e.method,
        "path": redact_url(e.path),
        "verdict": j.judgement.verdict,
        "behaviour": j.judgement.behaviour,
    }


def _coverage(build: _Build) -> dict[str, VendorCoverage]:
    """Per vendor and operation used: errors served, and relevant ones never served."""
    relevant: dict[str, dict[str, list[str]]] = {}
    out: dict[str, VendorCoverage] = {}
    for (vendor, operation), served in sorted(build.used.items()):
        if vendor not in relevant:
            relevant[vendor] = _relevant(
                build.catalog, build.operations.vendors.get(vendor), vendor
            )
        missing = {
            tag: _bounded([k for k in keys if k not in served])
            for tag, keys in relevant[vendor].items()
        }
        ops = out.setdefault(vendor, {"operations": {}})["operations"]
        ops[operation] = {
            "served": dict(sorted(served.items())),
            "not_exercised": {tag: keys for tag, keys in missing.items() if keys},
        }
    return out


def _relevant(catalog: Catalog, served_by: Vendor | None, vendor: str) -> dict[str, list[str]]:
    """The vendor's keys per coverage tag (see the module docstring).

    The keys the mock itself answers with (its rate-limit, not-found and too-large answers)
    come first, as the ones a client meets for sure; then catalog order.
    """
    try:
        entries: Sequence[CatalogEntry] = catalog.vendor(vendor).entries
    except KeyError:
        return {}
    own = (
        (served_by.rate_limit_key, served_by.not_found_key, served_by.too_large_key)
        if served_by is not None
        else ()
    )
    first = {key: rank for rank, key in enumerate(own)}
    out: dict[str, list[str]] = {}
    for tag in COVERAGE_TAGS:
        keys = [
            e.key
            for e in entries
            if tag in e.tags and e.error and (e.delivery == "async") == (tag == "delivery")
        ]
        out[tag] = sorted(keys, key=lambda k: first.get(k, len(first)))
    return out


def _bounded(keys: list[str]) -> list[str]:
    if len(keys) <= NOT_EXERCISED_SHOWN:
        return keys
    return [*keys[:NOT_EXERCISED_SHOWN], f"+{len(keys) - NOT_EXERCISED_SHOWN} more"]


def _summary(build: _Build, sessions: int) -> Summary:
    verdicts: Counter[str] = Counter(j.judgement.verdict for j in build.judged)
    by_tag: dict[str, TagCounts] = {}
    for j in build.judged:
        _, tags = _described(build.catalog, j.entry.vendor, j.entry.error or "")
        for tag in tags:
            counts = by_tag.setdefault(tag, {"ok": 0, "bad": 0, "unknown": 0})
            counts[j.judgement.verdict] += 1
    return {
        "served": len(build.judged),
        "ok": verdicts["ok"],
        "bad": verdicts["bad"],
        "unknown": verdicts["unknown"],
        "sessions": sessions,
        "by_tag": dict(sorted(by_tag.items())),
    }


__all__ = ["VERDICTS", "Report", "build_report"]
