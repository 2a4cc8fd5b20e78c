"""Webex Connect Send Message API v1 (`/resources/v1/messaging`): validation and acceptance."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect.callbacks import Delivery, schedule
from mockserver.vendors.webexconnect.wire import (
    http_url,
    item,
    json_object,
    reject_echoing,
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
    check_destinations(call, data)
    check_channels(call, data)
    check_options(call, data)
    return v1_answer([accept(call, data, destination) for destination in data["destination"]])


def check_destinations(call: Call, data: dict[str, Any]) -> None:
    """A delivery channel, then 1 to 1000 destinations, each with an address."""
    if not isinstance(data.get("deliverychannel"), str) or not channel_names(data):
        reject_echoing(call, "7003/17", data)  # param 'deliverychannel' missing
    destinations = data.get("destination")
    if not isinstance(destinations, list) or not destinations:
        reject_echoing(call, "7003", data)  # any one of [customerid,msisdn,...] is mandatory
    if len(destinations) > MAX_DESTINATIONS:
        reject_echoing(call, "7009", data)
    if not all(addresses(d) for d in destinations):
        reject_echoing(call, "7003", data)


def check_channels(call: Call, data: dict[str, Any]) -> None:
    """Each channel named in `deliverychannel` needs its `channels` object; SMS needs text."""
    channels = data.get("channels")
    if not isinstance(channels, dict):
        reject_echoing(call, "7003/16", data)  # No destination channel information found
    for name in channel_names(data):
        block = channels.get(name)
        if not isinstance(block, dict):
            # param 'sms' missing for channel sms; any other channel: no channel information
            reject_echoing(call, "7003/13" if name == "sms" else "7003/16", data)
        if name == "sms":
            check_sms(call, data, block)


def check_sms(call: Call, data: dict[str, Any], block: dict[str, Any]) -> None:
    """The SMS channel needs a `text`; its `type`, when given, is 1-4."""
    if text(block.get("text")) is None:
        reject_echoing(call, "7003/12", data)  # param 'text' missing for channel sms
    if "type" in block and _int(block["type"]) not in SMS_TYPES:
        reject_echoing(call, "7004/2", data)


def check_options(call: Call, data: dict[str, Any]) -> None:
    """`priority`, when given, must be 1-5 (the catalogued 7004 text)."""
    if "priority" in data and _int(data["priority"]) not in PRIORITIES:
        reject_echoing(call, "7004", data)


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
    call.resources.put(
        KIND, transid, {"transid": transid, "destination": targets, "created": call.now}
    )
    url = http_url(data.get("notifyurl"))
    if url is not None:
        for address in targets:
            delivery = Delivery(
                url=url,
                transid=transid,
                destination=address,
                channel=channel_names(data)[0].upper(),
                correlationid=cid or "",
                callback_data=text(data.get("callbackData")) or "",
            )
            schedule(call, delivery)
    return item(*QUEUED, transid, cid)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    digits = value.strip() if isinstance(value, str) else ""
    return int(digits) if digits.isascii() and digits.isdecimal() and len(digits) < 6 else None
