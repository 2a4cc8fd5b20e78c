"""SMS: send, the message store (list, fetch) and the message record RingCentral answers with."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import extension_path, identity
from mockserver.vendors.ringcentral.callbacks import message_changed
from mockserver.vendors.ringcentral.lifecycle import FAILED, sms_outcome, sms_timeline, step_at
from mockserver.vendors.ringcentral.paging import paginate
from mockserver.vendors.ringcentral.wire import (
    API,
    answer,
    base_url,
    date_window,
    e164,
    is_digits,
    iso,
    json_object,
    reject_invalid,
    stable_digits,
)

KIND = "message"
MAX_TEXT = 1000  # characters; docs/messaging/sms/sms-errors.md (SMS-UP-432) names this limit
MESSAGE_TYPES = ("Fax", "SMS", "VoiceMail", "Pager", "Text")
DIRECTIONS = ("Inbound", "Outbound")


def _delivery_fields(record: dict[str, Any], offset: float, status: str) -> dict[str, Any]:
    if status in FAILED:
        return {"deliveryErrorCode": record["outcome"]["code"]}
    if status == "Delivered":
        return {"smsDeliveryTime": iso(record["created"] + offset)}
    return {}


def message_view(record: dict[str, Any], offset: float, status: str) -> dict[str, Any]:
    """The message record as it stood `offset` seconds after creation, in RingCentral's order."""
    conversation = record["conversation"]
    return {
        "uri": record["uri"],
        "id": record["id"],
        "to": [{"phoneNumber": number, "messageStatus": status} for number in record["to"]],
        "from": record["from"],
        "type": "SMS",
        "creationTime": iso(record["created"]),
        "readStatus": "Read",
        "priority": "Normal",
        "attachments": [record["attachment"]],
        "direction": "Outbound",
        "availability": "Alive",
        "subject": record["subject"],
        "messageStatus": status,
        **_delivery_fields(record, offset, status),
        "smsSendingAttemptsCount": 1,
        # int64 in conversationId, the same digits as a string in conversation.id (as captured)
        "conversationId": conversation["id"],
        "conversation": {"id": str(conversation["id"]), "uri": conversation["uri"]},
        "lastModifiedTime": iso(record["created"] + offset),
    }


def current_view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The record now: its status follows from the time elapsed since creation."""
    offset, status = step_at(sms_timeline(record["outcome"]), now - record["created"])
    return message_view(record, offset, status)


def _recipients(call: Call, value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        reject_invalid(call, "to")
    numbers = []
    for item in value:
        raw = item.get("phoneNumber") if isinstance(item, dict) else None
        number = e164(raw)
        if number is None:
            reject_invalid(call, "to.phoneNumber", raw)
        if not number.startswith("+1"):  # the emulated account is a US one
            call.reject("MSG-240", toPhoneNumber=str(raw))
        numbers.append(number)
    return numbers


def _sender(call: Call, value: Any) -> str:
    if not isinstance(value, dict):
        reject_invalid(call, "from")
    raw = value.get("phoneNumber")
    number = e164(raw)
    if number is None:
        reject_invalid(call, "from.phoneNumber", raw)
    return number


def _text(call: Call, value: Any) -> str:
    if not isinstance(value, str) or not value:
        reject_invalid(call, "text", value)
    if len(value) > MAX_TEXT:
        call.reject("MSG-338")
    return value


def _new_id(call: Call) -> int:
    while True:  # ids are random per session; never hand out one this session already holds
        mid = int(call.env.ids.digits(call.session, 10))
        if call.resources.get(KIND, str(mid)) is None:
            return mid


def _create(call: Call, sender: str, recipients: list[str], text: str) -> dict[str, Any]:
    mid = _new_id(call)
    base = f"{base_url(call)}{extension_path(call)}/message-store/{mid}"
    seed = call.env.settings.seed
    # one conversation per set of participants, as RingCentral threads them
    conversation = int(stable_digits(19, seed, call.session, sender, *sorted(recipients)))
    record = {
        "id": mid,
        "uri": base,
        "to": recipients,
        "from": {"phoneNumber": sender, "name": identity(call).name},
        "subject": text,
        "attachment": {
            "id": mid,
            "uri": f"{base}/content/{mid}",
            "type": "Text",
            "contentType": "text/plain",
        },
        "conversation": {
            "id": conversation,
            "uri": f"{base_url(call)}{API}/conversation/{conversation}",
        },
        "created": call.now,
        "outcome": sms_outcome(call, recipients),
    }
    call.resources.put(KIND, str(mid), record)
    return record


def send_sms(call: Call) -> Rendered:
    """POST .../extension/{id}/sms: validate, store, schedule notifications, answer Queued."""
    data = json_object(call)
    recipients = _recipients(call, data.get("to"))
    sender = _sender(call, data.get("from"))
    text = _text(call, data.get("text"))
    record = _create(call, sender, recipients, text)
    message_changed(call, record)
    return answer(call, message_view(record, 0.0, "Queued"))


def _choices(call: Call, name: str, allowed: tuple[str, ...]) -> set[str] | None:
    values = [v for k, v in call.snapshot.query_all if k == name]
    bad = next((v for v in values if v not in allowed), None)
    if bad is not None:
        reject_invalid(call, name, bad)
    return set(values) or None


def list_messages(call: Call) -> Rendered:
    """GET .../message-store: newest first, filtered by type, direction and date, paged."""
    types = _choices(call, "messageType", MESSAGE_TYPES)
    directions = _choices(call, "direction", DIRECTIONS)
    start, end = date_window(call)
    wanted = (types is None or "SMS" in types) and (directions is None or "Outbound" in directions)
    records = [r for r in call.resources.list(KIND) if wanted and start <= r["created"] <= end]
    records.sort(key=lambda r: (r["created"], r["id"]), reverse=True)
    now = call.now
    views = [current_view(r, now) for r in records]
    return answer(call, paginate(call, views, call.snapshot.path))


def get_message(call: Call) -> Rendered:
    """GET .../message-store/{messageId}: the record with its current status."""
    mid = call.args["messageId"]
    if not is_digits(mid):
        reject_invalid(call, "messageId", mid)
    record = call.resources.get(KIND, mid)
    if record is None:
        call.reject("CMN-102", 404, parameterName="messageId")
    return answer(call, current_view(record, call.now))
