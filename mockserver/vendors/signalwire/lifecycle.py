"""Status timelines of messages and calls, evaluated lazily from the elapsed time."""

from __future__ import annotations

from mockserver.catalog.model import CatalogEntry
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire.envelope import message_status

# A timeline is a list of [seconds after creation, status]; lists (not tuples) keep the
# stored resource plain JSON for anyone who inspects the resource store.
Timeline = list[list[float | str]]
MESSAGE_FINAL = frozenset({"delivered", "undelivered", "failed"})
# The message statuses that show the failure's error code and message
MESSAGE_FAILED = frozenset({"undelivered", "failed"})
CALL_FINAL = frozenset({"completed", "failed", "busy", "no-answer", "canceled"})


def failure_entry(call: Call) -> CatalogEntry | None:
    """The catalogued failure a scenario or magic value asked for, if it exists."""
    if call.failure is None:
        return None
    return call.catalog.get(call.failure.key)


def final_delay(call: Call) -> float:
    """Seconds from creation to the final status: the failure's own delay, else the setting."""
    if call.failure is not None and call.failure.delay is not None:
        return call.failure.delay
    return call.env.settings.delivery_delay


def message_timeline(delay: float, failure: CatalogEntry | None) -> Timeline:
    """queued -> sent -> delivered; a carrier failure ends undelivered, a refusal failed."""
    if failure is None:
        return [[0.0, "queued"], [delay / 2, "sent"], [delay, "delivered"]]
    final = message_status(failure)
    if final == "failed":  # SignalWire refused it: it never left, so there is no `sent`
        return [[0.0, "queued"], [delay, final]]
    return [[0.0, "queued"], [delay / 2, "sent"], [delay, final]]


def call_timeline(delay: float, failed: bool) -> Timeline:
    """queued -> ringing -> in-progress -> completed, or queued -> ringing -> failed."""
    if failed:
        return [[0.0, "queued"], [delay / 2, "ringing"], [delay, "failed"]]
    return [
        [0.0, "queued"],
        [delay / 4, "ringing"],
        [delay / 2, "in-progress"],
        [delay, "completed"],
    ]


def step_at(timeline: Timeline, elapsed: float) -> tuple[float, str]:
    """The last step reached after `elapsed` seconds (the first one before that)."""
    reached = [step for step in timeline if float(step[0]) <= elapsed] or timeline[:1]
    at, status = reached[-1]
    return float(at), str(status)


def offset_of(timeline: Timeline, status: str) -> float | None:
    """When the timeline reaches `status`, or None when it never does."""
    for at, name in timeline:
        if name == status:
            return float(at)
    return None
