"""/api/messaging: send (JSON), get, list, redact, message logs, JSON status webhooks."""

from __future__ import annotations

import json
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire import lifecycle as life
from mockserver.vendors.signalwire import messages as compat
from mockserver.vendors.signalwire.auth import credentials
from mockserver.vendors.signalwire.callbacks import json_callback
from mockserver.vendors.signalwire.common import answer, newest_first, not_found, public, store
from mockserver.vendors.signalwire.common import stored as stored_in
from mockserver.vendors.signalwire.paging import links_page, locate, parse_page
from mockserver.vendors.signalwire.validate import (
    MessageRequest,
    Problem,
    message_problem,
    segments,
)

KIND = "rest-message"
BASE = "/api/messaging/messages"
LOGS = "/api/messaging/logs"
PAGE_PARAMS = ("page_size", "page_number", "page_token")
TEXT_FIELDS = ("to", "from", "body", "status_callback")
FAILED = compat.FAILED


def project(call: Call) -> str:
    """The project id of the request's credentials (authentication already passed)."""
    found = credentials(call.snapshot.headers.get("authorization", ""))
    return found[0] if found else ""


def json_object(call: Call) -> dict[str, Any] | None:
    """The request's JSON object ({} for an empty body); None when it is not one.

    Lone surrogates parse as JSON but cannot be stored or echoed as UTF-8, so a body
    holding one is refused like any other unreadable body.
    """
    if not call.snapshot.body.strip():
        return {}
    data = call.snapshot.json
    if not isinstance(data, dict):
        return None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError, ValueError):
        return None
    return data


def type_problem(data: dict[str, Any]) -> Problem | None:
    """20422 for a field of the wrong JSON type (strings, and a list of strings for media)."""
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            return Problem("20422", name)
    media = data.get("media")
    if media is not None and not (
        isinstance(media, list) and all(isinstance(url, str) for url in media)
    ):
        return Problem("20422", "media")
    return None


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
    data = json_object(call)
    if data is None:
        return call.error("20422", status=400)
    req = request_of(data)
    problem = type_problem(data) or message_problem(req)
    if problem is not None:
        return call.error(problem.key, attribute=problem.attribute)
    record = new_record(call, req, data.get("custom_variables"))
    store(call, KIND, record["id"], record)
    if req.status_callback:
        schedule(call, record, req.status_callback)
    return answer(call, 201, view(record, call.now))


def new_record(call: Call, req: MessageRequest, custom: object) -> dict[str, Any]:
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
        "created_at": life.iso8601(call.now),
        "project_id": project(call),
        "status_callback_url": req.status_callback,
        "message_uri": f"{BASE}/{rid}",
        "_created": call.now,
        "_timeline": life.message_timeline(life.final_delay(call), failure),
        "_error": [failure.code, failure.format_message({})] if failure else None,
        "_price": compat.MMS_PRICE if req.media else round(compat.SMS_PRICE * count, 5),
        "_custom": custom if isinstance(custom, dict) else None,
    }


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The message at `now`: its status and, once failed, the catalogued error."""
    _, status = life.step_at(record["_timeline"], now - record["_created"])
    error = record["_error"] if status in FAILED else None
    return {
        **public(record),
        "status": status,
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }


def schedule(call: Call, record: dict[str, Any], url: str) -> None:
    """The documented JSON status webhook at every status change after `queued`."""
    for at, status in record["_timeline"][1:]:
        payload = webhook(record, str(status), float(at))
        call.schedule(json_callback(call, url, payload, float(at)))


def webhook(record: dict[str, Any], status: str, at: float) -> dict[str, object]:
    """MessageStatusCallbackPayload (documented fields)."""
    error = record["_error"] if status in FAILED else None
    payload: dict[str, object] = {
        "id": record["id"],
        "project_id": record["project_id"],
        "status": status,
        "to": record["to"],
        "from": record["from"],
        "body": record["body"],
        "number_of_segments": record["number_of_segments"],
        "timestamp": life.iso8601(record["_created"] + at),
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }
    if record["_custom"] is not None:
        payload["custom_variables"] = record["_custom"]
    return payload


def mine(call: Call, record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The record if it belongs to the request's project."""
    if record is None:
        return None
    owner = record.get("project_id", record.get("account_sid"))
    return record if owner == project(call) else None


def fetch(call: Call) -> Rendered:
    """GET /api/messaging/messages/{id} (inferred: the spec documents create and update)."""
    record = mine(call, stored_in(call, KIND, call.args["id"]))
    return answer(call, 200, view(record, call.now)) if record else not_found(call)


def listing(call: Call) -> Rendered:
    """GET /api/messaging/messages: newest first, `data` + `links` pages (inferred)."""
    items = [view(r, call.now) for r in newest_first(call, KIND) if mine(call, r)]
    return page(call, items, BASE)


def page(call: Call, items: list[dict[str, Any]], base: str) -> Rendered:
    """One `data`/`links` page of `items`, or the paging parameter's error."""
    req = parse_page(call.snapshot.query, PAGE_PARAMS)
    if isinstance(req, str):
        return call.error(req, attribute=PAGE_PARAMS[0] if req == "20007" else "page")
    window = locate([str(item["id"]) for item in items], req)
    if window is None:
        return call.error("21481", attribute="page_token")
    return answer(call, 200, links_page(items, base, window))


def redact(call: Call) -> Rendered:
    """PATCH /api/messaging/messages/{id}: only `{"body": ""}` is allowed (documented)."""
    record = mine(call, stored_in(call, KIND, call.args["id"]))
    if record is None:
        return not_found(call)
    data = json_object(call)
    if data is None:
        return call.error("20422", status=400)
    if data.get("body") != "":
        return call.error("20422", attribute="body")
    record["body"] = ""
    return answer(call, 200, view(record, call.now))


def log_view(record: dict[str, Any], now: float) -> dict[str, Any]:
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
        "created_at": life.iso8601(record["_created"]),
    }


def _charge(record: dict[str, Any], status: str) -> float | None:
    return record["_price"] if status in compat.PRICED else None


def log_records(call: Call) -> list[dict[str, Any]]:
    """Every message of this project, from both APIs, newest first."""
    both = newest_first(call, KIND) + newest_first(call, compat.KIND)
    return sorted((r for r in both if mine(call, r)), key=lambda r: -r["_created"])


def logs(call: Call) -> Rendered:
    """GET /api/messaging/logs: what `client.logs.messages.list/paginate` read."""
    return page(call, [log_view(r, call.now) for r in log_records(call)], LOGS)


def log(call: Call) -> Rendered:
    """GET /api/messaging/logs/{id}: one message of either API."""
    for record in log_records(call):
        if record.get("id", record.get("sid")) == call.args["id"]:
            return answer(call, 200, log_view(record, call.now))
    return not_found(call)
