"""/api/messaging: send (JSON), get, list, redact, and the message logs of both APIs."""

from __future__ import annotations

from typing import Any

import mockserver.vendors.signalwire.lifecycle as life
import mockserver.vendors.signalwire.messages as compat
from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.auth import project
from mockserver.vendors.signalwire.callbacks import schedule_webhooks
from mockserver.vendors.signalwire.paging import links_list
from mockserver.vendors.signalwire.validate import (
    MessageRequest,
    check_message,
    check_types,
    segments,
)
from mockserver.vendors.signalwire.wire import (
    INVALID,
    NOT_FOUND,
    answer,
    iso8601,
    json_body,
    newest_first,
    public,
)

KIND = "rest-message"
BASE = "/api/messaging/messages"
LOGS = "/api/messaging/logs"


def request_of(data: dict[str, Any]) -> MessageRequest:
    """The send request of a type-checked JSON body; empty strings count as missing."""
    return MessageRequest(
        to=data.get("to") or None,
        from_=data.get("from") or None,
        body=data.get("body") or None,
        media=list(data.get("media") or []),
        status_callback=data.get("status_callback") or None,
    )


def create(call: Call) -> Rendered:
    """POST /api/messaging/messages: 400 unreadable body, 422 invalid fields, else 201."""
    data = json_body(call)
    check_types(call, data)
    req = request_of(data)
    check_message(call, req)
    record = new_record(call, req, data.get("custom_variables"))
    call.resources.put(KIND, record["id"], record)
    if req.status_callback:
        schedule_webhooks(call, record, req.status_callback)
    return answer(call, 201, view(record, call.now))


def new_record(call: Call, req: MessageRequest, custom: object) -> Record:
    """The stored message: the spec's Message fields plus the timeline."""
    rid = call.env.ids.uuid(call.session)
    failure = life.failure_entry(call)
    body = req.body or ""
    count = segments(body)
    return {
        "id": rid,
        "from": req.from_,
        "to": req.to,
        "body": body,
        "direction": "outbound",
        "kind": "mms" if req.media else "sms",
        "media": list(req.media),
        "number_of_segments": count,
        "created_at": iso8601(call.now),
        "project_id": project(call),
        "status_callback_url": req.status_callback,
        "message_uri": f"{BASE}/{rid}",
        "_created": call.now,
        "_timeline": life.message_timeline(life.final_delay(call), failure),
        "_error": [failure.code, failure.format_message({})] if failure else None,
        "_price": compat.price(len(req.media), count),
        "_custom": custom if isinstance(custom, dict) else None,
    }


def view(record: Record, now: float) -> Record:
    """The message at `now`: its status and, once failed, the catalogued error."""
    _, status = life.step_at(record["_timeline"], now - record["_created"])
    error = record["_error"] if status in life.MESSAGE_FAILED else None
    return {
        **public(record),
        "status": status,
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }


def in_project(call: Call, record: Record) -> bool:
    """The record (of either API) belongs to the request's project."""
    owner = record.get("project_id", record.get("account_sid"))
    return bool(owner == project(call))


def mine(call: Call, rid: str) -> Record:
    """The project's /api/messaging message `rid`; 20404 when there is none."""
    record = call.resources.get(KIND, rid)
    if record is None or not in_project(call, record):
        call.reject(NOT_FOUND)
    return record


def fetch(call: Call) -> Rendered:
    """GET /api/messaging/messages/{id} (inferred: the spec documents create and update)."""
    return answer(call, 200, view(mine(call, call.args["id"]), call.now))


def listing(call: Call) -> Rendered:
    """GET /api/messaging/messages: newest first, `data` + `links` pages (inferred)."""
    items = [view(r, call.now) for r in newest_first(call, KIND) if in_project(call, r)]
    return links_list(call, items, BASE)


def redact(call: Call) -> Rendered:
    """PATCH /api/messaging/messages/{id}: only `{"body": ""}` is allowed (documented)."""
    record = mine(call, call.args["id"])
    if json_body(call).get("body") != "":
        call.reject(INVALID, attribute="body")
    record["body"] = ""
    return answer(call, 200, view(record, call.now))


def log_view(record: Record, now: float) -> Record:
    """A MessageLog: REST messages are `relay_message`, compat ones `laml_message`."""
    laml = "sid" in record
    shown = compat.view(record, now) if laml else view(record, now)
    charge = shown["price"] if laml else _charge(record, shown["status"])
    return {
        "id": record["sid"] if laml else record["id"],
        "from": record["from"],
        "to": record["to"],
        "status": shown["status"],
        "direction": record["direction"],
        "kind": "mms" if (record["num_media"] if laml else record["media"]) else "sms",
        "source": "laml" if laml else "realtime_api",
        "type": "laml_message" if laml else "relay_message",
        "url": None,
        "number_of_segments": record["num_segments" if laml else "number_of_segments"],
        "charge": charge or 0,
        "charge_details": [{"description": "Message", "charge": charge or 0}],
        "created_at": iso8601(record["_created"]),
        "error_code": shown["error_code"],
        "error_message": shown["error_message"],
    }


def _charge(record: Record, status: str) -> float | None:
    return record["_price"] if status in compat.PRICED else None


def log_records(call: Call) -> list[Record]:
    """Every message of this project, from both APIs, newest first."""
    both = newest_first(call, KIND) + newest_first(call, compat.KIND)
    return sorted((r for r in both if in_project(call, r)), key=lambda r: -r["_created"])


def logs(call: Call) -> Rendered:
    """GET /api/messaging/logs: what `client.logs.messages.list/paginate` read."""
    return links_list(call, [log_view(r, call.now) for r in log_records(call)], LOGS)


def log(call: Call) -> Rendered:
    """GET /api/messaging/logs/{id}: one message of either API."""
    for record in log_records(call):
        if record.get("id", record.get("sid")) == call.args["id"]:
            return answer(call, 200, log_view(record, call.now))
    call.reject(NOT_FOUND)
