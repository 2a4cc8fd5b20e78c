"""Webex Connect Send/Get SMS API v1 (`/v1/sms/messages`): the newer `{code, message}` API."""

from __future__ import annotations

import re
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.rejection import Rejection
from mockserver.vendors.webexconnect.callbacks import (
    Delivery,
    duration,
    final_entry,
    schedule,
    submitted_first,
)
from mockserver.vendors.webexconnect.envelope import delivery_status, unknown_message, v2_error
from mockserver.vendors.webexconnect.wire import http_url, iso, json_answer, json_object, text, uuid

KIND = "sms"
MAX_CONTENT = 1024  # documented maximum of `content` on /v1/sms/messages
CONTENT_TYPES = frozenset({"text", "unicode", "template"})
MSISDN = re.compile(r"\+?[1-9]\d{6,14}")
# Documented 400 example: {"code":"7004","message":"Invalid parameter -  : contentType"}.
INVALID_PARAMETER = "Invalid parameter -  : {field}"
INVALID_PARAMETER_STATUS = 400


def send(call: Call) -> Rendered:
    """202 `{acceptedTime, messageId, correlationId}`; notifications go to `callbackUrl`."""
    data = json_object(call)
    check(call, data)
    record = store(call, data)
    url = http_url(data.get("callbackUrl"))
    if url is not None:
        delivery = Delivery(
            url=url,
            transid=record["messageId"],
            destination=record["to"],
            correlationid=record.get("correlationId", ""),
            callback_data=text(data.get("callbackData")) or "",
        )
        schedule(call, delivery)
    accepted = {k: record[k] for k in ("acceptedTime", "messageId", "correlationId") if k in record}
    return json_answer(accepted, 202)


def get(call: Call) -> Rendered:
    """The message with its status as of now; an unknown id is a bodiless 404 (documented)."""
    record = call.resources.get(KIND, call.args["message"])
    if record is None:
        raise Rejection(unknown_message())
    return json_answer(view(record, call.now))


def check(call: Call, data: dict[str, Any]) -> None:
    """Reject the first missing or malformed field: from, to, content, contentType."""
    field = invalid_field(data)
    if field is not None:
        # the catalog's 7004 texts are all channel-specific: the documented wording instead
        message = INVALID_PARAMETER.format(field=field)
        raise Rejection(v2_error(call.entry("7004"), message, INVALID_PARAMETER_STATUS))


def invalid_field(data: dict[str, Any]) -> str | None:
    """The first missing or malformed field's name, or None."""
    sender, to, content = (data.get(name) for name in ("from", "to", "content"))
    if text(sender) is None:
        return "from"
    if not isinstance(to, str) or MSISDN.fullmatch(to.strip()) is None:
        return "to"
    if not isinstance(content, str) or not content.strip() or len(content) > MAX_CONTENT:
        return "content"
    kind = data.get("contentType", "text")
    if not isinstance(kind, str) or kind.lower() not in CONTENT_TYPES:
        return "contentType"
    return None


def store(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Keep the accepted message and how its delivery ends."""
    final = final_entry(call)
    record: dict[str, Any] = {
        "acceptedTime": iso(call.now),
        "messageId": uuid(call),
        "from": data["from"],
        "to": data["to"].strip(),
        "contentType": str(data.get("contentType", "text")).lower(),
        "content": data["content"],
        "created": call.now,
        "length": duration(call),
        "final": final.code,
        "finalStatus": delivery_status(final).upper().replace("-", ""),
        "submitted": submitted_first(final),
    }
    cid = text(data.get("correlationId"))
    if cid:
        record["correlationId"] = cid
    call.resources.put(KIND, record["messageId"], record)
    return record


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The documented Get SMS shape; status ACCEPTED → SUBMITTED → DELIVERED (or FAILED)."""
    created, length = record["created"], record["length"]
    status, since = "ACCEPTED", created
    if record["submitted"] and now - created >= length / 2:
        status, since = "SUBMITTED", created + length / 2
    if now - created >= length:
        status, since = record["finalStatus"], created + length
    out = {"acceptedTime": record["acceptedTime"], "statusTime": iso(since)}
    out["messageId"] = record["messageId"]
    if "correlationId" in record:
        out["correlationId"] = record["correlationId"]
    names = ("from", "to", "contentType", "content")
    return {**out, **{k: record[k] for k in names}, "status": status}
