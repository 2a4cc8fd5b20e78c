"""Fone Dynamics message records: creation, the lazily computed status, and the wire view."""

from __future__ import annotations

import math
from typing import Any

from mockserver.vendors.fonedynamics.auth import account_sid
from mockserver.vendors.fonedynamics.wire import message_sid, mobile_number
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record

KIND = "message"
LEASED_KIND = "leased_number"
# Mock-only magic recipients whose delivery fails with a catalogued code (docs).
MAGIC_FAILURES = {"+61400000009": "NUMBER_NOT_FOUND"}
_GSM = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def create(call: Call, property_sid: str, data: dict[str, Any]) -> Record:
    """Store a validated send request as a message; returns the stored record."""
    to, text = data["To"].strip(), data["Text"]
    now = int(call.now)
    schedule = data.get("Schedule")
    wire: dict[str, Any] = {
        "MessageSid": message_sid(call),
        "AccountSid": account_sid(call),
        "PropertySid": property_sid,
        "From": (data.get("From") or "").strip() or leased_number(call),
        "To": to,
        "Text": text,
        "DeliveryReceipt": receipt_wanted(data),
        "NumSegments": segments(text),
        "Direction": "Transmit",
        "Scheduled": schedule,
        "Created": now,
    }
    failure = failure_code(call, to)
    record = {
        "message": wire,
        "start": float(max(schedule or now, now)),
        "length": _length(call),
        "error": failure,
        "receipt": receipt_target(data) if wire["DeliveryReceipt"] else None,
    }
    call.resources.put(KIND, wire["MessageSid"], record)
    return record


def _length(call: Call) -> float:
    delay = call.failure.delay if call.failure else None
    return call.env.settings.delivery_delay if delay is None else delay


def failure_code(call: Call, to: str) -> str | None:
    """The ErrorCode the delivery ends with: the scenario's, a magic number's, or none."""
    if call.failure is not None:
        entry = call.catalog.get(call.failure.key)
        return entry.code if entry else call.failure.key
    return MAGIC_FAILURES.get(to)


def receipt_wanted(data: dict[str, Any]) -> bool:
    """`DeliveryReceipt` as given; by default true exactly when a receipt URI is named."""
    given = data.get("DeliveryReceipt")
    return given if isinstance(given, bool) else bool(data.get("DeliveryReceiptWebhookUri"))


def receipt_target(data: dict[str, Any]) -> list[str] | None:
    """`[uri, method]` for delivery receipts (POST unless GET is asked for), or None."""
    uri = data.get("DeliveryReceiptWebhookUri")
    if not uri:
        return None
    method = str(data.get("DeliveryReceiptWebhookMethod") or "POST").upper()
    return [uri, method]


def leased_number(call: Call) -> str:
    """The session's leased Australian mobile number, picked once (documented: empty From)."""
    found = call.resources.get(LEASED_KIND, "number")
    if found is None:
        found = {"number": mobile_number(call)}
        call.resources.put(LEASED_KIND, "number", found)
    return str(found["number"])


def segments(text: str) -> int:
    """SMS segments: GSM-7 160/153 characters, otherwise UCS-2 70/67."""
    single, multi = (160, 153) if set(text) <= _GSM else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


def view(record: Record, now: float) -> dict[str, Any]:
    """The message as the API shows it at `now`; null fields are left out (ServiceStack)."""
    wire = dict(record["message"])
    start, length = record["start"], record["length"]
    elapsed = now - start
    wire["Status"] = "Processing"
    if elapsed >= length / 2:
        wire.update(Status="Submitted", Submitted=int(start + length / 2))
    if elapsed >= length:
        final = "Failed" if record["error"] else "Delivered"
        wire.update(Status=final, Delivered=None if record["error"] else int(start + length))
        wire["ErrorCode"] = record["error"]
    return {name: value for name, value in _ordered(wire) if value is not None}


_ORDER = (
    *("MessageSid", "AccountSid", "PropertySid", "From", "To", "Text", "DeliveryReceipt"),
    *("NumSegments", "Status", "Direction", "Scheduled", "Created", "Submitted", "Delivered"),
    "ErrorCode",
)


def _ordered(wire: dict[str, Any]) -> list[tuple[str, Any]]:
    # The SDK's field order (vendors.md 4), so bodies read like the vendor's.
    return [(name, wire.get(name)) for name in _ORDER]
