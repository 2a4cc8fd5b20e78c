"""Compat Calls: create, fetch, list, delete, and the requested signed status callbacks.

Updates (hang up, cancel, redirect) are in callupdate.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire import lifecycle as life
from mockserver.vendors.signalwire.callbacks import form_callback
from mockserver.vendors.signalwire.common import (
    answer,
    compat_base,
    compat_listing,
    forget,
    not_found,
    owned,
    public,
    store,
    stored,
)
from mockserver.vendors.signalwire.envelope import API_VERSION
from mockserver.vendors.signalwire.validate import call_problem

KIND = "call"
PER_MINUTE = 0.0066  # illustrative price (inferred)
NANP = re.compile(r"\+1(\d{3})(\d{3})(\d{4})")
# Which StatusCallbackEvent reports each status, and the CallStatus it posts.
EVENT_OF = {"queued": "initiated", "ringing": "ringing", "in-progress": "answered"}
POSTED_STATUS = {"queued": "initiated"}
SUBRESOURCES = ("notifications", "recordings", "feedback", "streams")


def events_of(call: Call) -> list[str]:
    """StatusCallbackEvent values: repeated fields and/or space-separated; default completed."""
    values = [v for k, v in call.snapshot.form_all if k == "StatusCallbackEvent"]
    return [event for value in values for event in value.split()] or ["completed"]


def create(call: Call) -> Rendered:
    """POST .../Calls: validate, store, schedule the requested callbacks, answer 201."""
    form, events = dict(call.snapshot.form), events_of(call)
    problem = call_problem(form, events)
    if problem is not None:
        return call.error(problem.key, attribute=problem.attribute)
    record = new_record(call, form)
    # kept so a hang-up (callupdate.py) can post the final status the call asked for
    record["_callback"], record["_events"] = form.get("StatusCallback"), events
    store(call, KIND, record["sid"], record)
    if form.get("StatusCallback"):
        schedule(call, record, form["StatusCallback"], events)
    return answer(call, 201, view(record, call.now))


def new_record(call: Call, form: dict[str, str]) -> dict[str, Any]:
    """The stored call: public fields, a seeded talk time and the timeline."""
    sid = call.env.ids.uuid(call.session)
    uri = f"{compat_base(call)}/Calls/{sid}"
    failure = life.failure_entry(call)
    to, from_ = form["To"], form["From"]
    return {
        "sid": sid,
        "account_sid": call.args["account"],
        "parent_call_sid": None,
        "to": to,
        "formatted_to": formatted(to),
        "to_formatted": formatted(to),
        "from": from_,
        "formatted_from": formatted(from_),
        "from_formatted": formatted(from_),
        "phone_number_sid": call.env.ids.uuid(call.session),
        "direction": "outbound-api",
        "answered_by": None,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "caller_name": None,
        "group_sid": None,
        "trunk_sid": None,
        "annotation": None,
        "price_unit": "USD",
        "uri": uri + ".json",
        "subresource_uris": {name: f"{uri}/{name.capitalize()}.json" for name in SUBRESOURCES},
        "_created": call.now,
        "_timeline": life.call_timeline(life.final_delay(call), failure is not None),
        "_error": failure.code if failure else None,
        "_talk": call.env.ids.rng(call.session).randint(4, 180),
    }


def formatted(number: str) -> str:
    """`(415) 867-5309` for a North American number, the address itself otherwise."""
    found = NANP.fullmatch(number)
    return f"({found[1]}) {found[2]}-{found[3]}" if found else number


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The call at `now`; a completed call shows its seeded talk time, from answer to hangup."""
    created, timeline = record["_created"], record["_timeline"]
    at, status = life.step_at(timeline, now - created)
    answered = life.offset_of(timeline, "in-progress")
    started = created + answered if answered is not None and at >= answered else None
    done = status in life.CALL_FINAL
    talk = record["_talk"] if status == "completed" else 0
    end = (started + talk if started is not None else created + at) if done else None
    return {
        **public(record),
        "status": status,
        "date_created": life.rfc2822(created),
        "date_updated": life.rfc2822(created + at),
        "start_time": life.rfc2822(started) if started is not None else None,
        "end_time": life.rfc2822(end) if end is not None else None,
        "duration": talk,
        "price": round(PER_MINUTE * math.ceil(talk / 60), 5) if talk else None,
    }


def schedule(call: Call, record: dict[str, Any], url: str, events: list[str]) -> None:
    """A signed callback for each status whose event was requested, numbered in order."""
    sequence = 0
    for at, status in record["_timeline"]:
        if EVENT_OF.get(str(status), "completed") not in events:
            continue
        fields = callback_fields(record, str(status), float(at), sequence)
        event = f"{status} {record['_error']}" if status == "failed" else str(status)
        call.schedule(form_callback(call, url, fields, event, float(at)))
        sequence += 1


def callback_fields(
    record: dict[str, Any], status: str, at: float, sequence: int
) -> list[tuple[str, str]]:
    """The voice status callback form (documented fields, plus ErrorCode on failure)."""
    fields = [
        ("CallSid", record["sid"]),
        ("AccountSid", record["account_sid"]),
        ("From", record["from"]),
        ("To", record["to"]),
        ("CallStatus", POSTED_STATUS.get(status, status)),
        ("Direction", record["direction"]),
        ("ApiVersion", API_VERSION),
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(sequence)),
        ("Timestamp", life.rfc2822(record["_created"] + at)),
    ]
    if status == "completed":
        fields.append(("CallDuration", str(record["_talk"])))
    if status == "failed" and record["_error"]:
        fields.append(("ErrorCode", record["_error"]))
    return fields


def fetch(call: Call) -> Rendered:
    """GET .../Calls/{Sid}: the call as it is now, or 20404."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    return answer(call, 200, view(record, call.now)) if record else not_found(call)


def listing(call: Call) -> Rendered:
    """GET .../Calls: newest first, filtered by To/From/Status, Twilio paging."""
    return compat_listing(call, KIND, "Calls", ("To", "From", "Status"), view)


def delete(call: Call) -> Rendered:
    """DELETE .../Calls/{Sid}: 204 once the call ended; 20009 while it is still going."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    if record is None:
        return not_found(call)
    if view(record, call.now)["status"] not in life.CALL_FINAL:
        return call.error("20009")
    forget(call, KIND, record["sid"])
    return answer(call, 204, None)
