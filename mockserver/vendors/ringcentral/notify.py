"""Webhook notifications: message-store events POSTed to the session's matching subscriptions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from mockserver.answers.rendered import compact_json
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.common import (
    SUBSCRIPTION,
    VENDOR,
    Identity,
    every,
    identity,
    iso,
)
from mockserver.vendors.ringcentral.envelope import CONTENT_TYPE
from mockserver.vendors.ringcentral.lifecycle import sms_timeline

USER_AGENT = "RingCentral-Webhook/8.3"  # vendors.md 1.7
# RingCentral documents no retry schedule, only that a failing address ends up blacklisted;
# two quick retries keep a CI run short while still exercising a receiver's idempotency.
RETRIES = (1.0, 5.0)
_MESSAGE_STORE = re.compile(
    r"/restapi/v1\.0/account/(?P<account>~|[0-9]+)/extension/(?P<extension>~|[0-9]+)/message-store"
)


def deliverable(subscription: dict[str, Any], now: float) -> bool:
    """Active (handshake not failed) and not expired."""
    return bool(subscription["status"] == "Active" and now < subscription["expires"])


def matches_sms(event_filter: str, me: Identity) -> bool:
    """A message-store filter of this extension whose `type`/`direction` admit an outbound SMS."""
    path, _, query = event_filter.partition("?")
    found = _MESSAGE_STORE.fullmatch(path)
    if found is None:
        return False
    if found["account"] not in ("~", me.account_id):
        return False
    if found["extension"] not in ("~", me.extension_id):
        return False
    params = dict(parse_qsl(query))
    return params.get("type", "SMS") == "SMS" and params.get("direction", "Outbound") == "Outbound"


def headers(subscription: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Vendor headers of every notification (Content-Type is the Callback's own field)."""
    mode = subscription["mode"]
    out: tuple[tuple[str, str], ...] = (("User-Agent", USER_AGENT), ("Accept", "application/json"))
    if "verificationToken" in mode:  # documented: sent with every webhook when configured
        out += (("Verification-Token", mode["verificationToken"]),)
    if "validationToken" in mode:  # vendors.md 1.7; only when the subscriber chose one
        out += (("Validation-Token", mode["validationToken"]),)
    return out


def payload(
    call: Call, subscription: dict[str, Any], event: str, when: float, new: bool
) -> dict[str, Any]:
    """The documented message event (docs/notifications/event-filters/message.md)."""
    me = identity(call)
    change = {"type": "SMS", "newCount": 1 if new else 0, "updatedCount": 0 if new else 1}
    return {
        "uuid": call.env.ids.uuid(call.session),
        "event": event,
        "timestamp": iso(when),
        "subscriptionId": subscription["id"],
        "ownerId": me.extension_id,
        "body": {
            "accountId": me.account_id,
            "extensionId": me.extension_id,
            "lastUpdated": iso(when),
            "changes": [change],
        },
    }


def message_changed(call: Call, message: dict[str, Any]) -> None:
    """Schedule one notification per lifecycle step for every matching subscription."""
    me = identity(call)
    for subscription in every(call, SUBSCRIPTION):
        if not deliverable(subscription, call.now):
            continue
        event = next((f for f in subscription["filters"] if matches_sms(f, me)), None)
        if event is None:
            continue
        for index, (offset, status) in enumerate(sms_timeline(message["outcome"])):
            body = payload(call, subscription, event, message["created"] + offset, index == 0)
            call.schedule(
                Callback(
                    vendor=VENDOR,
                    session=call.session,
                    url=subscription["mode"]["address"],
                    body=compact_json(body),
                    content_type=CONTENT_TYPE,
                    headers=headers(subscription),
                    event=f"message-store {status}",
                    resource=str(message["id"]),
                    delay=offset,
                    retries=RETRIES,
                )
            )
