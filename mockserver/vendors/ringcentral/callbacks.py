"""What RingCentral sends out: message-store webhook notifications and the subscription handshake."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import aiohttp

from mockserver.answers.rendered import compact_json
from mockserver.callbacks.egress import refusal_of
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import Identity, identity
from mockserver.vendors.ringcentral.envelope import CONTENT_TYPE, WEBHOOK_USER_AGENT
from mockserver.vendors.ringcentral.lifecycle import sms_timeline
from mockserver.vendors.ringcentral.wire import SUBSCRIPTION, iso

# RingCentral documents no retry schedule, only that a failing address ends up blacklisted;
# two quick retries keep a CI run short while still exercising a receiver's idempotency.
RETRIES = (1.0, 5.0)
HANDSHAKE_TIMEOUT = 5.0  # seconds; RingCentral asks for an answer within 3 s, CI gets slack
# inferred: neither the spec nor captured bodies document the wording of an unreachable
# address; one phrase for refused, timed out and blocked alike, so the answer is no probe
UNREACHABLE = "I/O operation is failed. Details: [Webhook server is unreachable]"
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
    out: tuple[tuple[str, str], ...] = (
        ("User-Agent", WEBHOOK_USER_AGENT),
        ("Accept", "application/json"),
    )
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
    for subscription in call.resources.list(SUBSCRIPTION):
        if not deliverable(subscription, call.now):
            continue
        event = next((f for f in subscription["filters"] if matches_sms(f, me)), None)
        if event is None:
            continue
        for index, (offset, status) in enumerate(sms_timeline(message["outcome"])):
            body = payload(call, subscription, event, message["created"] + offset, index == 0)
            call.schedule(
                Callback(
                    vendor=call.vendor.name,
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


async def handshake(call: Call, address: str, token: str) -> str | None:
    """POST the Validation-Token handshake and journal it: None if the token came back, else why.

    The reason is RingCentral's generic wording only: echoing the transport error would tell
    a caller which hosts and ports answer. The cause goes to the journal, for the operator.
    """
    reason, attempt = await _probe(call, address, token)
    _journal(call, address, token, attempt)
    return reason


async def _probe(call: Call, address: str, token: str) -> tuple[str | None, dict[str, Any]]:
    """(None if the token came back, else why not; the attempt to journal)."""
    attempt: dict[str, Any] = {"number": 1, "time": call.now, "status": None}
    policy = call.env.callbacks.policy
    refusal = await policy.vet(address)
    if refusal is not None:
        attempt["error"] = refusal
        return UNREACHABLE, attempt
    sent = {
        "Validation-Token": token,
        "User-Agent": WEBHOOK_USER_AGENT,
        "Content-Type": CONTENT_TYPE,
    }
    try:
        async with (
            policy.session(HANDSHAKE_TIMEOUT) as client,
            client.post(address, data=b"", headers=sent, allow_redirects=False) as resp,
        ):
            attempt["status"] = resp.status
            return _verdict(resp, token, attempt), attempt
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
        attempt["error"] = refusal_of(err) or f"{type(err).__name__}: {err}"
        return UNREACHABLE, attempt


def _verdict(resp: aiohttp.ClientResponse, token: str, attempt: dict[str, Any]) -> str | None:
    """Why the handshake answer does not count (None: it does)."""
    if resp.status != 200:
        return f"Webhook server response is invalid. HTTP status [{resp.status}]"
    if resp.headers.get("Validation-Token") != token:
        attempt["error"] = "the answer did not echo the Validation-Token header"
        return "Webhook server response is invalid. Validation-Token header is missing"
    return None


def _journal(call: Call, address: str, token: str, attempt: dict[str, Any]) -> None:
    """Journal the handshake beside the other callback attempts (its real cause included)."""
    on_attempt = call.env.callbacks.on_attempt
    if on_attempt is None:
        return
    sent = (("Validation-Token", token), ("User-Agent", WEBHOOK_USER_AGENT))
    probe = Callback(
        call.vendor.name, call.session, address, b"", CONTENT_TYPE, sent, event="handshake"
    )
    on_attempt(probe, attempt)
