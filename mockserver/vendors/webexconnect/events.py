"""Webex Connect Event API (`/resources/v1/events/externalevent`): one `1002` per event."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect.wire import (
    item,
    json_object,
    reject_echoing,
    text,
    uuid,
    v1_answer,
)

KIND = "event"
INVALID_VALUE = "7004/14"  # the Event section's "Invalid value"
PARAMETERS_MISSING = "7025"  # Mandatory custom parameters missing


def external_event(call: Call) -> Rendered:
    """`{"events":[{"evtid", "correlationid", "parameters":{...}}]}` → one result per event."""
    data = json_object(call, "7000/2")
    check(call, data)
    queued = call.entry("1002")
    results = []
    for event in data["events"]:
        transid = uuid(call)
        stored = {"transid": transid, "evtid": str(event["evtid"]), "created": call.now}
        call.resources.put(KIND, transid, stored)
        cid = text(event.get("correlationid"))
        results.append(item(queued.code, queued.message, transid, cid))
    return v1_answer(results)


def check(call: Call, data: dict[str, Any]) -> None:
    """Events must be a non-empty list of objects with an `evtid` and a `parameters` object."""
    events = data.get("events")
    if not isinstance(events, list) or not events:
        reject_echoing(call, INVALID_VALUE, data)
    for event in events:
        if not isinstance(event, dict) or not _event_id(event.get("evtid")):
            reject_echoing(call, INVALID_VALUE, data)
        if "parameters" not in event:
            reject_echoing(call, PARAMETERS_MISSING, data)
        if not isinstance(event["parameters"], dict):
            reject_echoing(call, INVALID_VALUE, data)


def _event_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or text(value) is not None
