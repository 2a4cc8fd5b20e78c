"""Compat Messages: create, fetch, list, redact, delete and media."""

from __future__ import annotations

import mimetypes
from urllib.parse import urlsplit

import mockserver.vendors.signalwire.lifecycle as life
from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.callbacks import schedule_message
from mockserver.vendors.signalwire.envelope import API_VERSION
from mockserver.vendors.signalwire.paging import COMPAT, compat_list, compat_page, locate
from mockserver.vendors.signalwire.validate import MessageRequest, check_message, segments
from mockserver.vendors.signalwire.wire import (
    INVALID,
    UNFINISHED,
    answer,
    compat_base,
    owned,
    public,
    rfc2822,
)

KIND = "message"
# Illustrative prices (inferred): per SMS segment, and per MMS.
SMS_PRICE = 0.00415
MMS_PRICE = 0.0145
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
    check_message(call, req)
    record = new_record(call, req)
    call.resources.put(KIND, record["sid"], record)
    if req.status_callback:
        schedule_message(call, record, req.status_callback)
    return answer(call, 201, view(record, call.now))


def new_record(call: Call, req: MessageRequest) -> Record:
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
        "_price": price(len(req.media), count),
        "_media": list(req.media),
    }


def price(media: int, count: int) -> float:
    """An MMS costs one price, an SMS one price per segment."""
    return MMS_PRICE if media else round(SMS_PRICE * count, 5)


def pool_number(call: Call) -> str:
    """The sender a Messaging Service picks when no From is given (a seeded +1 number)."""
    return "+1" + call.env.ids.digits(call.session, 10)


def view(record: Record, now: float) -> Record:
    """The message as the API shows it at `now`: status, dates, price and error so far."""
    created, timeline = record["_created"], record["_timeline"]
    at, status = life.step_at(timeline, now - created)
    sent = life.offset_of(timeline, "sent")
    error = record["_error"] if status in life.MESSAGE_FAILED else None
    return {
        **public(record),
        "status": status,
        "date_created": rfc2822(created),
        "date_updated": rfc2822(created + at),
        "date_sent": rfc2822(created + sent) if sent is not None and at >= sent else None,
        "price": record["_price"] if status in PRICED else None,
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }


def fetch(call: Call) -> Rendered:
    """GET .../Messages/{Sid}: the message as it is now, or 20404."""
    return answer(call, 200, view(owned(call, KIND, call.args["sid"]), call.now))


def listing(call: Call) -> Rendered:
    """GET .../Messages: newest first, filtered by To/From, Twilio paging."""
    return compat_list(call, KIND, "Messages", ("To", "From"), view)


def update(call: Call) -> Rendered:
    """POST .../Messages/{Sid}: only redaction (Body set to "") is supported."""
    record = owned(call, KIND, call.args["sid"])
    if call.snapshot.form.get("Body") != "":
        call.reject(INVALID, attribute="Body")
    record["body"] = ""
    return answer(call, 200, view(record, call.now))


def delete(call: Call) -> Rendered:
    """DELETE .../Messages/{Sid}: 204 once final; 20009 while it is still on its way."""
    record = owned(call, KIND, call.args["sid"])
    if view(record, call.now)["status"] not in life.MESSAGE_FINAL:
        call.reject(UNFINISHED)
    call.resources.delete(KIND, record["sid"])
    return answer(call, 204, None)


def media(call: Call) -> Rendered:
    """GET .../Messages/{Sid}/Media: one Media resource per MediaUrl sent."""
    record = owned(call, KIND, call.args["sid"])
    items = media_items(call, record)
    window = locate(call, [str(item["sid"]) for item in items], COMPAT)
    base = f"{compat_base(call)}/Messages/{record['sid']}/Media.json"
    return answer(call, 200, compat_page(items, "media_list", base, [], window))


def media_items(call: Call, record: Record) -> list[Record]:
    """Media ids derive from the message id, so they stay stable across requests."""
    created = rfc2822(record["_created"])
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
