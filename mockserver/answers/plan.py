"""What to answer a request with: the single value every injection route resolves to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Literal

from mockserver.answers.faults import Fault
from mockserver.answers.rendered import RateInfo, Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.scenarios.matching import Unfired

PlanKind = Literal["error", "fault", "respond", "passthrough"]
# the outcome of a request over a scenario rule's rate limit (journal, metrics)
RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class Failure:
    """How a scenario or magic value wants an asynchronous lifecycle to end."""

    key: str
    delay: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The outcome chosen for one request, before it is rendered.

    The fields after `kind` come in two groups: why and when (what the scenario engine
    knows when a rule fires, first so it can build them positionally), then what to answer.

    Attributes:
        kind: error (a catalogued error), fault (transport-level), respond (literal answer),
            passthrough (the endpoint's normal answer).
        delay: seconds to wait before answering.
        rule: the rule (or injection route) that chose this plan; None when nothing did.
        scenario: the scenario of that rule.
        reason: why, in words, for the journal.
        rate: rate-limit counters to expose as headers.
        outcome: what the journal calls it when that differs from `kind` (e.g. rate_limited).
        session_rule: `rule` belongs to one test session (metrics do not label by its name).
        entry: the catalog entry, for errors.
        params: placeholder values given explicitly (defaults are filled in later).
        status: HTTP status override.
        headers: extra or overriding response headers.
        retry_after: seconds for Retry-After.
        fault: the transport fault, for faults.
        literal: the literal answer, for respond.
        failure: for passthrough, how the asynchronous lifecycle should end (callback action).
        unfired: rules that matched but did not fire, with why, as decided (for the journal).
    """

    kind: PlanKind
    delay: float = 0.0
    rule: str | None = None
    scenario: str | None = None
    reason: str = "no rule matched"
    rate: RateInfo | None = None
    outcome: str | None = None
    session_rule: bool = False
    entry: CatalogEntry | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: int | None = None
    fault: Fault | None = None
    literal: Rendered | None = None
    failure: Failure | None = None
    unfired: tuple[Unfired, ...] = ()


PASSTHROUGH = Plan("passthrough")
# names taken from Plan itself, so the order is always its fields' own
_WHY_AND_WHEN = attrgetter(*(f.name for f in fields(Plan)[1:8]))
WhyAndWhen = tuple[float, str | None, str | None, str, RateInfo | None, str | None, bool]


def why_and_when(plan: Plan) -> WhyAndWhen:
    """The plan's seven fields after `kind`, in order, for a plan made from it.

    Passed on positionally (`Plan(kind, *why_and_when(plan), entry=...)`), so mypy checks
    each against its field: dataclasses.replace() cost twice as much, once per request a
    scenario rule decides.
    """
    why: WhyAndWhen = _WHY_AND_WHEN(plan)
    return why
