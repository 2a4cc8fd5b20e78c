"""Compat Calls: create, fetch, list, delete, and updates (hang up, cancel, redirect)."""

from __future__ import annotations

import math
import re

import mockserver.vendors.signalwire.lifecycle as life
from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.callbacks import schedule_call, schedule_call_end
from mockserver.vendors.signalwire.envelope import API_VERSION
from mockserver.vendors.signalwire.paging import compat_list
from mockserver.vendors.signalwire.validate import check_call, check_call_update
from mockserver.vendors.signalwire.wire import (
    UNFINISHED,
    answer,
    compat_base,
    owned,
    public,
    rfc2822,
)

KIND = "call"
PER_MINUTE = 0.0066  # illustrative price (inferred)
NANP = re.compile(r"\+1(\d{3})(\d{3})(\d{4})")
# The spec's CallSubresourceUris: exactly these two keys
SUBRESOURCES = ("notifications", "recordings")
# Media-quality metrics and the SIP result: the mock carries no media, so they stay null
METRICS = (
    "sip_result_code",
    "audio_in_mos",
    "audio_rtt_avg",
    "audio_rtt_min",
    "audio_rtt_max",
    "audio_out_jitter_min",
    "audio_out_jitter_max",
    "audio_out_jitter_avg",
    "audio_out_lost",
)
# `canceled` stops a call that has not been answered; `completed` hangs up any live call
CANCELABLE = frozenset({"queued", "ringing"})
INVALID_STATE = "21220"  # "Invalid call state": the call is over, or too far along to cancel


def events_of(call: Call) -> list[str]:
    """StatusCallbackEvent values: repeated fields and/or space-separated; default completed."""
    values = [v for k, v in call.snapshot.form_all if k == "StatusCallbackEvent"]
    return [event for value in values for event in value.split()] or ["completed"]


def create(call: Call) -> Rendered:
    """POST .../Calls: validate, store, schedule the requested callbacks, answer 200 (spec)."""
    form, events = dict(call.snapshot.form), events_of(call)
    check_call(call, form, events)
    record = new_record(call, form)
    # kept so a hang-up (`update`) can post the final status the call asked for
    record["_callback"], record["_events"] = form.get("StatusCallback"), events
    call.resources.put(KIND, record["sid"], record)
    if form.get("StatusCallback"):
        schedule_call(call, record, form["StatusCallback"], events)
    return answer(call, 200, view(record, call.now))


def new_record(call: Call, form: dict[str, str]) -> Record:
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
        "direction": "outbound",  # the spec's CallDirection is inbound|outbound
        "answered_by": None,
        "api_version": API_VERSION,
        "forwarded_from": None,
        "caller_name": None,
        "group_sid": None,
        "annotation": None,
        **dict.fromkeys(METRICS),
        "price_unit": "USD",
        "uri": uri + ".json",
        "subresource_uris": {name: f"{uri}/{name.capitalize()}.json" for name in SUBRESOURCES},
        "_created": call.now,
        "_timeline": life.call_timeline(life.final_delay(call), failure is not None),
        "_error": failure.code if failure else None,
        "_talk": call.rng.randint(4, 180),
    }


def formatted(number: str) -> str:
    """`(415) 867-5309` for a North American number, the address itself otherwise."""
    found = NANP.fullmatch(number)
    return f"({found[1]}) {found[2]}-{found[3]}" if found else number


def view(record: Record, now: float) -> Record:
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
        "date_created": rfc2822(created),
        "date_updated": rfc2822(created + at),
        "start_time": rfc2822(started) if started is not None else None,
        "end_time": rfc2822(end) if end is not None else None,
        "duration": talk,
        "price": round(PER_MINUTE * math.ceil(talk / 60), 5) if talk else None,
    }


def fetch(call: Call) -> Rendered:
    """GET .../Calls/{Sid}: the call as it is now, or 20404."""
    return answer(call, 200, view(owned(call, KIND, call.args["sid"]), call.now))


def listing(call: Call) -> Rendered:
    """GET .../Calls: newest first, filtered by To/From/Status, Twilio paging."""
    return compat_list(call, KIND, "Calls", ("To", "From", "Status"), view)


def delete(call: Call) -> Rendered:
    """DELETE .../Calls/{Sid}: 204 once the call ended; 20009 while it is still going."""
    record = owned(call, KIND, call.args["sid"])
    if view(record, call.now)["status"] not in life.CALL_FINAL:
        call.reject(UNFINISHED)
    call.resources.delete(KIND, record["sid"])
    return answer(call, 204, None)


def update(call: Call) -> Rendered:
    """POST .../Calls/{Sid}: end or redirect a live call; 21220 when its state forbids it."""
    record = owned(call, KIND, call.args["sid"])
    form = dict(call.snapshot.form)
    check_call_update(call, form)
    current = view(record, call.now)["status"]
    target = form.get("Status")
    if current in life.CALL_FINAL or (target == "canceled" and current not in CANCELABLE):
        call.reject(INVALID_STATE)
    if target is not None:
        end(call, record, target)
    # a redirect (Url / Twiml) changes what runs on the call, nothing the resource shows
    return answer(call, 200, view(record, call.now))


def end(call: Call, record: Record, status: str) -> None:
    """Stop the call's timeline now at `status`; the talk time is what was really talked."""
    created, timeline = record["_created"], record["_timeline"]
    at = max(0.0, call.now - created)
    answered = life.offset_of(timeline, "in-progress")
    talked = answered is not None and answered <= at
    # a hang-up before the answer never connected: the call ends as canceled, 0 s
    final = status if talked or status == "canceled" else "canceled"
    record["_timeline"] = [*(step for step in timeline if float(step[0]) <= at), [at, final]]
    record["_talk"] = round(at - answered) if talked and answered is not None else 0
    call.resources.put(KIND, record["sid"], record)
    call.withdraw(record["sid"])  # the statuses it will never reach are never reported
    schedule_call_end(call, record, final, at)
