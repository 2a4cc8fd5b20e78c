"""Message and RingOut lifecycles: statuses derived from elapsed time, never from a timer task."""

from __future__ import annotations

from typing import Any

from mockserver.vendors.kit.call import Call

Step = tuple[float, str]  # seconds after creation, status reached then
FAILED = ("DeliveryFailed", "SendingFailed")

# Recipients that make a message fail (not in the seed table: the codes and statuses are the
# documented ones of docs/messaging/sms/sms-errors.md, vendors.md 1.7).
MAGIC_RECIPIENTS: dict[str, tuple[str, str]] = {
    "+15005550009": ("DeliveryFailed", "SMS-CAR-411"),  # destination invalid or unallocated
    "+15005550013": ("SendingFailed", "SMS-RC-413"),  # the recipient opted out
}


def sms_outcome(call: Call, recipients: list[str]) -> dict[str, Any]:
    """How a new message ends: a scenario's failure, a magic recipient's, else Delivered."""
    delay = call.env.settings.delivery_delay
    if call.failure is not None:
        wait = delay if call.failure.delay is None else call.failure.delay
        return {"status": "DeliveryFailed", "code": call.failure.key, "delay": wait}
    for number in recipients:
        if number in MAGIC_RECIPIENTS:
            status, code = MAGIC_RECIPIENTS[number]
            return {"status": status, "code": code, "delay": delay}
    return {"status": "Delivered", "code": None, "delay": delay}


def sms_timeline(outcome: dict[str, Any]) -> list[Step]:
    """Queued at once, Sent half way, the final status at the delay (no Sent if never sent)."""
    delay = float(outcome["delay"])
    final: str = outcome["status"]
    steps: list[Step] = [(0.0, "Queued")]
    if final != "SendingFailed":
        steps.append((delay / 2, "Sent"))
    steps.append((delay, final))
    return steps


def ring_out_timeline(delay: float) -> list[Step]:
    """The caller answers half way, the callee at the delay (callStatus Success)."""
    return [(0.0, "InProgress"), (delay / 2, "CallerConnected"), (delay, "Success")]


def step_at(steps: list[Step], elapsed: float) -> Step:
    """The last step reached `elapsed` seconds after creation."""
    current = steps[0]
    for step in steps:
        if step[0] <= elapsed:
            current = step
    return current
