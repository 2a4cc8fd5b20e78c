"""What to answer a request with: the single value every injection route resolves to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from mockserver.answers.faults import Fault
from mockserver.answers.rendered import RateInfo, Rendered
from mockserver.catalog.model import CatalogEntry
from mockserver.scenarios.matching import Unfired

PlanKind = Literal["error", "fault", "respond", "passthrough"]


@dataclass(frozen=True)
class Failure:
    """How a scenario or magic value wants an asynchronous lifecycle to end."""

    key: str
    delay: float | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The outcome chosen for one request, before it is rendered.

    Attributes:
        kind: error (a catalogued error), fault (transport-level), respond (literal answer),
            passthrough (the endpoint's normal answer).
        entry: the catalog entry, for errors.
        params: placeholder values given explicitly (defaults are filled in later).
        status: HTTP status override.
        headers: extra or overriding response headers.
        retry_after: seconds for Retry-After.
        fault: the transport fault, for faults.
        literal: the literal answer, for respond.
        delay: seconds to wait before answering.
        rule: the rule (or injection route) that chose this plan; None when nothing did.
        reason: why, in words, for the journal.
        rate: rate-limit counters to expose as headers.
        scenario: the scenario of that rule.
        outcome: what the journal calls it when that differs from `kind` (e.g. rate_limited).
        failure: for passthrough, how the asynchronous lifecycle should end (callback action).
        session_rule: `rule` belongs to one test session (metrics do not label by its name).
        unfired: rules that matched but did not fire, with why, as decided (for the journal).
    """

    kind: PlanKind
    entry: CatalogEntry | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: int | None = None
    fault: Fault | None = None
    literal: Rendered | None = None
    delay: float = 0.0
    rule: str | None = None
    scenario: str | None = None
    reason: str = "no rule matched"
    rate: RateInfo | None = None
    outcome: str | None = None
    failure: Failure | None = None
    session_rule: bool = False
    unfired: tuple[Unfired, ...] = ()


PASSTHROUGH = Plan("passthrough")
