"""Compat call updates (POST .../Calls/{Sid}.json): hang up, cancel, redirect."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire import lifecycle as life
from mockserver.vendors.signalwire.callbacks import form_callback
from mockserver.vendors.signalwire.calls import KIND, callback_fields, view
from mockserver.vendors.signalwire.common import answer, not_found, owned, store, stored
from mockserver.vendors.signalwire.validate import Problem, is_url

# UpdateCallRequest's `Status` enum (sw-compat.yaml)
TARGETS = frozenset({"canceled", "completed"})
# `canceled` stops a call that has not been answered; `completed` hangs up any live call
CANCELABLE = frozenset({"queued", "ringing"})
INVALID_STATE = "21220"  # "Invalid call state": the call is over, or too far along to cancel


def update(call: Call) -> Rendered:
    """End or redirect a live call; the updated call, or the vendor's error for this state."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    if record is None:
        return not_found(call)
    form = dict(call.snapshot.form)
    problem = update_problem(form)
    if problem is not None:
        return call.error(problem.key, attribute=problem.attribute)
    current = view(record, call.now)["status"]
    target = form.get("Status")
    if current in life.CALL_FINAL or (target == "canceled" and current not in CANCELABLE):
        return call.error(INVALID_STATE)
    if target is not None:
        end(call, record, target)
    # a redirect (Url / Twiml) changes what runs on the call, nothing the resource shows
    return answer(call, 200, view(record, call.now))


def update_problem(form: dict[str, str]) -> Problem | None:
    """The first invalid field of an update form (Status, the URLs, the methods)."""
    status = form.get("Status")
    if status is not None and status not in TARGETS:
        return Problem("20422", "Status")
    for name in ("Url", "FallbackUrl", "StatusCallback"):
        value = form.get(name)
        if value is not None and not is_url(value):
            return Problem("21609" if name == "StatusCallback" else "21205", name)
    for name in ("Method", "FallbackMethod", "StatusCallbackMethod"):
        if form.get(name, "POST").upper() not in ("GET", "POST"):
            return Problem("21209", name)
    return None


def end(call: Call, record: dict[str, Any], status: str) -> None:
    """Stop the call's timeline now at `status`; the talk time is what was really talked."""
    created, timeline = record["_created"], record["_timeline"]
    at = max(0.0, call.now - created)
    answered = life.offset_of(timeline, "in-progress")
    talked = answered is not None and answered <= at
    # a hang-up before the answer never connected: the call ends as canceled, 0 s
    final = status if talked or status == "canceled" else "canceled"
    record["_timeline"] = [*(step for step in timeline if float(step[0]) <= at), [at, final]]
    record["_talk"] = round(at - answered) if talked and answered is not None else 0
    store(call, KIND, record["sid"], record)
    call.withdraw(record["sid"])  # the statuses it will never reach are never reported
    notify(call, record, final, at)


def notify(call: Call, record: dict[str, Any], status: str, at: float) -> None:
    """The final status callback, when the call asked for the completed event."""
    url, events = record.get("_callback"), record.get("_events", ())
    if not url or "completed" not in events:
        return
    reached = sum(1 for step in record["_timeline"][:-1] if float(step[0]) <= at)
    fields = callback_fields(record, status, at, reached)
    call.schedule(form_callback(call, url, fields, status, 0.0))
