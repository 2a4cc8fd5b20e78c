"""Compat Messages: create, fetch, list, redact, delete, media, signed status callbacks."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlsplit

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
from mockserver.vendors.signalwire.paging import compat_page, locate, parse_page
from mockserver.vendors.signalwire.validate import MessageRequest, message_problem, segments

KIND = "message"
# Illustrative prices (inferred): per SMS segment, and per MMS.
SMS_PRICE = 0.00415
MMS_PRICE = 0.0145
FAILED = frozenset({"undelivered", "failed"})
PRICED = frozenset({"sent", "delivered", "undelivered"})


def request_of(call: Call) -> MessageRequest:
    """The form fields of a compat send; blank values count as missing, as on Twilio."""
    form = call.snapshot.form
    return MessageRequest(
        to=form.get("To") or None,
        from_=form.get("From") or None,
        body=form.get("Body") or None,
        media=[value for name, value in call.snapshot.form_all if name == "MediaUrl"],
        status_callback=form.get("StatusCallback") or None,
        service=form.get("MessagingServiceSid") or None,
    )


def create(call: Call) -> Rendered:
    """POST .../Messages: validate, store, schedule the status callbacks, answer 201."""
    req = request_of(call)
    problem = message_problem(req)
    if problem is not None:
        return call.error(problem.key, attribute=problem.attribute)
    record = new_record(call, req)
    store(call, KIND, record["sid"], record)
    if req.status_callback:
        schedule(call, record, req.status_callback)
    return answer(call, 201, view(record, call.now))


def new_record(call: Call, req: MessageRequest) -> dict[str, Any]:
    """The stored message: its public fields plus the timeline that drives its status."""
    sid = call.env.ids.uuid(call.session)
    uri = f"{compat_base(call)}/Messages/{sid}"
    body = req.body or ""
    failure = life.failure_entry(call)
    count = segments(body)
    return {
        "account_sid": call.args["account"],
        "api_version": API_VERSION,
        "body": body,
        "num_segments": count,
        "num_media": len(req.media),
        "direction": "outbound-api",
        "from": req.from_ or pool_number(call),
        "to": req.to,
        "messaging_service_sid": req.service,
        "price_unit": "USD",
        "sid": sid,
        "uri": uri + ".json",
        "subresource_uris": {"media": uri + "/Media.json"},
        "_created": call.now,
        "_timeline": life.message_timeline(life.final_delay(call), failure),
        "_error": [failure.code, failure.format_message({})] if failure else None,
        "_price": MMS_PRICE if req.media else round(SMS_PRICE * count, 5),
        "_media": list(req.media),
    }


def pool_number(call: Call) -> str:
    """The sender a Messaging Service picks when no From is given (a seeded +1 number)."""
    return "+1" + call.env.ids.digits(call.session, 10)


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The message as the API shows it at `now`: status, dates, price and error so far."""
    created, timeline = record["_created"], record["_timeline"]
    at, status = life.step_at(timeline, now - created)
    sent = life.offset_of(timeline, "sent")
    error = record["_error"] if status in FAILED else None
    return {
        **public(record),
        "status": status,
        "date_created": life.rfc2822(created),
        "date_updated": life.rfc2822(created + at),
        "date_sent": life.rfc2822(created + sent) if sent is not None and at >= sent else None,
        "price": record["_price"] if status in PRICED else None,
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }


def schedule(call: Call, record: dict[str, Any], url: str) -> None:
    """One signed callback per status change after `queued`, at the time it happens."""
    for at, status in record["_timeline"][1:]:
        fields = callback_fields(record, str(status))
        event = f"{status} {record['_error'][0]}" if status in FAILED else str(status)
        call.schedule(form_callback(call, url, fields, event, float(at)))


def callback_fields(record: dict[str, Any], status: str) -> list[tuple[str, str]]:
    """The StatusCallback form (documented fields; SmsSid/SmsStatus/ApiVersion as Twilio)."""
    fields = [
        ("MessageSid", record["sid"]),
        ("SmsSid", record["sid"]),
        ("AccountSid", record["account_sid"]),
        ("From", record["from"]),
        ("To", record["to"]),
        ("Body", record["body"]),
        ("MessageStatus", status),
        ("SmsStatus", status),
        ("NumMedia", str(record["num_media"])),
        ("NumSegments", str(record["num_segments"])),
        ("ApiVersion", API_VERSION),
    ]
    if status in FAILED and record["_error"]:
        fields.append(("ErrorCode", record["_error"][0]))
    return fields


def fetch(call: Call) -> Rendered:
    """GET .../Messages/{Sid}: the message as it is now, or 20404."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    return answer(call, 200, view(record, call.now)) if record else not_found(call)


def listing(call: Call) -> Rendered:
    """GET .../Messages: newest first, filtered by To/From, Twilio paging."""
    return compat_listing(call, KIND, "Messages", ("To", "From"), view)


def update(call: Call) -> Rendered:
    """POST .../Messages/{Sid}: only redaction (Body set to "") is supported."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    if record is None:
        return not_found(call)
    if call.snapshot.form.get("Body") != "":
        return call.error("20422", attribute="Body")
    record["body"] = ""
    return answer(call, 200, view(record, call.now))


def delete(call: Call) -> Rendered:
    """DELETE .../Messages/{Sid}: 204 once final; 20009 while it is still on its way."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    if record is None:
        return not_found(call)
    if view(record, call.now)["status"] not in life.MESSAGE_FINAL:
        return call.error("20009")
    forget(call, KIND, record["sid"])
    return answer(call, 204, None)


def media(call: Call) -> Rendered:
    """GET .../Messages/{Sid}/Media: one Media resource per MediaUrl sent."""
    record = owned(call, stored(call, KIND, call.args["sid"]))
    if record is None:
        return not_found(call)
    req = parse_page(call.snapshot.query)
    if isinstance(req, str):
        return call.error(req)
    items = media_items(call, record)
    window = locate([str(item["sid"]) for item in items], req)
    if window is None:
        return call.error("21481")
    base = f"{compat_base(call)}/Messages/{record['sid']}/Media.json"
    return answer(call, 200, compat_page(items, "media_list", base, [], window))


def media_items(call: Call, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Media ids derive from the message id, so they stay stable across requests."""
    created = life.rfc2822(record["_created"])
    items = []
    for index, url in enumerate(record["_media"]):
        sid = f"{record['sid'][:-3]}{index:03d}"
        kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        items.append(
            {
                "sid": sid,
                "account_sid": record["account_sid"],
                "parent_sid": record["sid"],
                "content_type": kind,
                "date_created": created,
                "date_updated": created,
                "uri": f"{compat_base(call)}/Messages/{record['sid']}/Media/{sid}.json",
            }
        )
    return items
