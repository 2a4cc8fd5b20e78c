"""Webex Connect Send Message API v1 (`/resources/v1/messaging`): validation and acceptance."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect import notify
from mockserver.vendors.webexconnect.wire import (
    INVALID,
    VENDOR,
    error,
    http_url,
    item,
    json_object,
    text,
    uuid,
    v1_answer,
)

KIND = "transaction"
MAX_DESTINATIONS = 1000  # documented
IDENTIFIERS = ("msisdn", "customerid", "email", "userid", "pushid", "psid")
QUEUED = ("1001", "Queued")  # documented success; not an error, so not in the catalog
PRIORITIES = frozenset({1, 2, 3, 4, 5})
SMS_TYPES = frozenset({1, 2, 3, 4})


def send(call: Call) -> Rendered:
    """One `1001 Queued` result (with its own transid) per destination, then notifications."""
    data = json_object(call)
    if data is INVALID:
        return call.error("7000")
    key = problem(data)
    if key is not None:
        return error(call, key, data)
    results = [accept(call, data, destination) for destination in data["destination"]]
    return v1_answer(results)


def problem(data: dict[str, Any]) -> str | None:
    """The catalog key of the first thing wrong with a messaging request, or None."""
    if not isinstance(data.get("deliverychannel"), str) or not channel_names(data):
        return "7003/17"  # param 'deliverychannel' missing
    destinations = data.get("destination")
    if not isinstance(destinations, list) or not destinations:
        return "7003"  # any one of [customerid,msisdn,...] is mandatory
    if len(destinations) > MAX_DESTINATIONS:
        return "7009"
    if not all(addresses(d) for d in destinations):
        return "7003"
    return channel_problem(data) or option_problem(data)


def channel_problem(data: dict[str, Any]) -> str | None:
    """Each channel named in `deliverychannel` needs its `channels` object; SMS needs text."""
    channels = data.get("channels")
    if not isinstance(channels, dict):
        return "7003/16"  # No destination channel information found in request
    for name in channel_names(data):
        block = channels.get(name)
        if name == "sms":
            if not isinstance(block, dict):
                return "7003/13"  # param 'sms' missing for channel sms
            if text(block.get("text")) is None:
                return "7003/12"  # param 'text' missing for channel sms
            if "type" in block and _int(block["type"]) not in SMS_TYPES:
                return "7004/2"
        elif not isinstance(block, dict):
            return "7003/16"
    return None


def option_problem(data: dict[str, Any]) -> str | None:
    """`priority`, when given, must be 1-5 (the catalogued 7004 text)."""
    if "priority" in data and _int(data["priority"]) not in PRIORITIES:
        return "7004"
    return None


def channel_names(data: dict[str, Any]) -> list[str]:
    """`deliverychannel` may name several channels, comma-separated."""
    return [
        part.strip().lower() for part in str(data["deliverychannel"]).split(",") if part.strip()
    ]


def addresses(destination: Any) -> list[str]:
    """Every address of one destination: its msisdn list, else its first other identifier."""
    if not isinstance(destination, dict):
        return []
    msisdn = destination.get("msisdn")
    numbers = msisdn if isinstance(msisdn, list) else [msisdn]
    found = [n for n in map(text, numbers) if n]
    if found:
        return found
    others = [text(destination.get(name)) for name in IDENTIFIERS[1:]]
    return [value for value in others if value][:1]


def accept(call: Call, data: dict[str, Any], destination: dict[str, Any]) -> dict[str, str]:
    """Store one destination's transaction, queue its notifications, return its result."""
    transid = uuid(call)
    cid = text(destination.get("correlationid")) or text(data.get("correlationid"))
    targets = addresses(destination)
    call.env.resources.put(
        VENDOR,
        call.session,
        KIND,
        transid,
        {"transid": transid, "destination": targets, "created": call.now},
    )
    url = http_url(data.get("notifyurl"))
    if url is not None:
        for address in targets:
            delivery = notify.Delivery(
                url=url,
                transid=transid,
                destination=address,
                channel=channel_names(data)[0].upper(),
                correlationid=cid or "",
                callback_data=text(data.get("callbackData")) or "",
            )
            notify.schedule(call, delivery)
    return item(*QUEUED, transid, cid)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = value.strip() if isinstance(value, str) else ""
    return int(digits) if digits.isascii() and digits.isdecimal() and len(digits) < 6 else None
