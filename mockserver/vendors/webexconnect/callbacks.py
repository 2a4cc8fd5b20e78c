"""Webex Connect outbound side: delivery notifications, their steps, signing and retries."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace

from mockserver.answers.rendered import JSON
from mockserver.callbacks.sender import Callback
from mockserver.catalog.model import CatalogEntry
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect.envelope import delivery_status
from mockserver.vendors.webexconnect.wire import iso

SUBMITTED, DELIVERED = "7501", "7500"
RETRIES = 3  # documented: three retries, 60 s apart (scaled: see retry_interval)
# Codes from 7200 on are operator-side: the message was submitted before it failed.
OPERATOR_CODES_FROM = 7200


@dataclass(frozen=True)
class Delivery:
    """One address of an accepted message and where its notifications go."""

    url: str
    transid: str
    destination: str
    channel: str = "SMS"
    correlationid: str = ""
    callback_data: str = ""


def sign(secret: str, body: bytes) -> str:
    """`x-hub-signature`: hex HMAC-SHA256 of the body with the hub secret (documented)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_interval(call: Call) -> float:
    # The documented 60 s between retries becomes one delivery delay, so tests stay fast.
    return call.env.settings.delivery_delay


def final_entry(call: Call) -> CatalogEntry:
    """7500 Delivered, or the catalogued failure a scenario's `callback` action asked for."""
    found = call.catalog.get(call.failure.key) if call.failure else None
    return found or call.entry(DELIVERED)


def duration(call: Call) -> float:
    """Seconds from acceptance to the final status."""
    delay = call.failure.delay if call.failure else None
    return call.env.settings.delivery_delay if delay is None else delay


def steps(call: Call) -> list[tuple[float, CatalogEntry]]:
    """(offset, code) of each notification: Submitted at half-time unless refused up front."""
    final, total = final_entry(call), duration(call)
    first = [(total / 2, call.entry(SUBMITTED))] if submitted_first(final) else []
    return [*first, (total, final)]


def submitted_first(final: CatalogEntry) -> bool:
    """Delivered and operator-side failures pass through Submitted; platform refusals don't."""
    return final.code == DELIVERED or _code_number(final.code) >= OPERATOR_CODES_FROM


def schedule(call: Call, delivery: Delivery) -> None:
    """Queue every notification of one address, signed, with the documented retries."""
    secret = call.env.settings.webhook_secret
    retries = (retry_interval(call),) * RETRIES
    for offset, entry in steps(call):
        body = notification(call, entry, delivery, call.now + offset)
        call.schedule(
            Callback(
                vendor=call.vendor.name,
                session=call.session,
                url=delivery.url,
                body=body,
                content_type=JSON,
                headers=(("x-hub-signature", sign(secret, body)),),
                event=f"{entry.code} {delivery_status(entry)}",
                resource=delivery.transid,
                delay=offset,
                retries=retries,
            )
        )


def notification(call: Call, entry: CatalogEntry, delivery: Delivery, at: float) -> bytes:
    """The documented `deliveryInfoNotification`, rendered by the vendor's own renderer."""
    params = {
        "transid": delivery.transid,
        "destination": delivery.destination,
        "deliveryChannel": delivery.channel,
        "correlationid": delivery.correlationid,
        "callbackData": delivery.callback_data,
        "timeStamp": iso(at),
    }
    ctx = replace(call.ctx, family="v1", params=params, status=None)
    return call.vendor.render_async(entry, ctx).body


def _code_number(code: str) -> int:
    return int(code) if code.isdigit() else 0
