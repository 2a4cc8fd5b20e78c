"""RingOut calls and the call log that lists them."""

from __future__ import annotations

import base64
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import extension_path, identity
from mockserver.vendors.ringcentral.lifecycle import ring_out_timeline, step_at
from mockserver.vendors.ringcentral.paging import ENUMERATED_MAX_PAGE, paginate
from mockserver.vendors.ringcentral.wire import (
    answer,
    base_url,
    date_window,
    e164,
    iso,
    json_object,
    reject_invalid,
)

KIND = "ring-out"
_STATUSES = {  # lifecycle step -> (callStatus, callerStatus, calleeStatus)
    "InProgress": ("InProgress", "InProgress", "InProgress"),
    "CallerConnected": ("InProgress", "Success", "InProgress"),
    "Success": ("Success", "Success", "Success"),
}


def _party(call: Call, data: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        reject_invalid(call, name)
    raw = value.get("phoneNumber")
    number = e164(raw)
    if number is None:
        reject_invalid(call, f"{name}.phoneNumber", raw)
    return number


def _ring_out_id(call: Call) -> str:
    # the shape of real ids: base64url of "<call id>@<media host>", padding dropped
    rng = call.rng
    raw = f"cs{call.env.ids.digits(call.session, 21)}@10.13.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _log_id(call: Call) -> str:
    # real call log ids are 14 base64url characters (10 bytes, e.g. "QwVrCHkfAA9NQA")
    rng = call.rng
    raw = bytes(rng.randrange(256) for _ in range(10))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def ring_out_view(record: dict[str, Any], step: str) -> dict[str, Any]:
    """`{uri, id, status{callStatus, callerStatus, calleeStatus}}` at a lifecycle step."""
    call_status, caller, callee = _STATUSES[step]
    status = {"callStatus": call_status, "callerStatus": caller, "calleeStatus": callee}
    return {"uri": record["uri"], "id": record["id"], "status": status}


def _current_step(record: dict[str, Any], now: float) -> str:
    return step_at(ring_out_timeline(record["delay"]), now - record["created"])[1]


def create_ring_out(call: Call) -> Rendered:
    """POST .../ring-out: both legs start InProgress; the call connects over the delivery delay."""
    data = json_object(call)
    caller = _party(call, data, "from")
    callee = _party(call, data, "to")
    caller_id = _party(call, data, "callerId", required=False)
    if not isinstance(data.get("playPrompt", False), bool):
        reject_invalid(call, "playPrompt", data.get("playPrompt"))
    rid = _ring_out_id(call)
    base = f"{base_url(call)}{extension_path(call)}"
    record = {
        "id": rid,
        "uri": f"{base}/ring-out/{rid}",
        "from": caller,
        "to": callee,
        "callerId": caller_id or caller,
        "created": call.now,
        "delay": call.env.settings.delivery_delay,
        "log_id": _log_id(call),
        "session_id": call.env.ids.digits(call.session, 11),
        "telephony_id": f"s-{call.env.ids.hex(call.session, 32)}",
        "duration": call.rng.randint(15, 240),
        "log_base": base,
    }
    call.resources.put(KIND, rid, record)
    return answer(call, ring_out_view(record, "InProgress"))


def get_ring_out(call: Call) -> Rendered:
    """GET .../ring-out/{ringoutId}: the status at this moment."""
    record = call.resources.get(KIND, call.args["ringoutId"])
    if record is None:
        call.reject("CMN-102", 404, parameterName="ringoutId")
    return answer(call, ring_out_view(record, _current_step(record, call.now)))


def call_log_record(record: dict[str, Any], me_name: str, now: float) -> dict[str, Any]:
    """The call log entry of a RingOut (CallLogRecord fields, view=Simple)."""
    done = _current_step(record, now) == "Success"
    entry: dict[str, Any] = {
        "uri": f"{record['log_base']}/call-log/{record['log_id']}?view=Simple",
        "id": record["log_id"],
        "sessionId": record["session_id"],
        "telephonySessionId": record["telephony_id"],
        "startTime": iso(record["created"]),
        "duration": record["duration"] if done else 0,
        "type": "Voice",
        "direction": "Outbound",
        "action": "RingOut Web",
        "result": "Call connected" if done else "In Progress",
    }
    if done:
        entry["reason"] = "Accepted"
    entry["to"] = {"phoneNumber": record["to"]}
    entry["from"] = {"phoneNumber": record["callerId"], "name": me_name}
    return entry


def _choice(call: Call, name: str, allowed: tuple[str, ...]) -> str | None:
    value = call.snapshot.query.get(name)
    if value is not None and value not in allowed:
        reject_invalid(call, name, value)
    return value


def call_log(call: Call) -> Rendered:
    """GET .../call-log: the session's RingOut calls, newest first, filtered and paged."""
    direction = _choice(call, "direction", ("Inbound", "Outbound"))
    kind = _choice(call, "type", ("Voice", "Fax"))
    _choice(call, "view", ("Simple", "Detailed"))
    start, end = date_window(call)
    wanted = direction in (None, "Outbound") and kind in (None, "Voice")
    records = [r for r in call.resources.list(KIND) if wanted and start <= r["created"] <= end]
    records.sort(key=lambda r: (r["created"], r["id"]), reverse=True)
    name, now = identity(call).name, call.now
    entries = [call_log_record(r, name, now) for r in records]
    body = paginate(call, entries, call.snapshot.path, ENUMERATED_MAX_PAGE)
    return answer(call, body)
