"""Webhook subscriptions: create (with the Validation-Token handshake), list, renew, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import identity
from mockserver.vendors.ringcentral.callbacks import handshake
from mockserver.vendors.ringcentral.wire import (
    API,
    SUBSCRIPTION,
    answer,
    base_url,
    empty,
    iso,
    json_object,
    reject_invalid,
)

DEFAULT_EXPIRES_IN = 604_800  # a week (inferred: RingCentral's webhook default)
MAX_EXPIRES_IN = 315_360_000  # ten years; the docs' blacklist sample expires 15 years out
_TOKENS = ("verificationToken", "validationToken")
# "limited to 30 subscriptions per user/extension (for particular application)" (the spec's
# createSubscription; its list schema has maxItems 30); a session is one user of one app.
MAX_SUBSCRIPTIONS = 30


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The subscription as RingCentral lists it (docs code-samples/webhooks/blacklist.json)."""
    body: dict[str, Any] = {
        "uri": record["uri"],
        "id": record["id"],
        "creationTime": iso(record["created"]),
        "status": record["status"],
        "eventFilters": record["filters"],
        "expirationTime": iso(record["expires"]),
    }
    left = round(record["expires"] - now)
    if left >= 1:  # the spec's minimum; an expired one shows only its past expirationTime
        body["expiresIn"] = left
    body["deliveryMode"] = {"transportType": "WebHook", "encryption": False, **record["mode"]}
    if "blacklisted" in record:
        body["blacklistedData"] = record["blacklisted"]
    return body


def _filters(call: Call, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(f, str) for f in value):
        reject_invalid(call, "eventFilters")
    me = identity(call)
    out = []
    for item in value:
        if not item.startswith("/restapi/"):
            call.reject("SUB-508", filters=item)
        # RingCentral answers with `~` resolved to the caller's account and extension ids
        expanded = item.replace("/account/~", f"/account/{me.account_id}")
        out.append(expanded.replace("/extension/~", f"/extension/{me.extension_id}"))
    return out


def _address(call: Call, value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        reject_invalid(call, "deliveryMode.address", value)
    return str(value)


def _mode(call: Call, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        reject_invalid(call, "deliveryMode")
    transport = value.get("transportType")
    if transport != "WebHook":
        reject_invalid(call, "deliveryMode.transportType", transport)
    mode = {"address": _address(call, value.get("address"))}
    for name in _TOKENS:
        if name in value:
            if not isinstance(value[name], str) or not value[name]:
                reject_invalid(call, f"deliveryMode.{name}", value[name])
            mode[name] = value[name]
    return mode


def _expires_in(call: Call, value: Any) -> int:
    if value is None:
        return DEFAULT_EXPIRES_IN
    if not isinstance(value, int) or isinstance(value, bool):
        reject_invalid(call, "expiresIn", value)
    if not 1 <= value <= MAX_EXPIRES_IN:
        reject_invalid(call, "expiresIn", value)
    return value


async def _run_handshake(call: Call, record: dict[str, Any]) -> None:
    # RingCentral probes the address before it answers the create/update call
    token = record["mode"].get("validationToken") or call.env.ids.uuid(call.session)
    record["probe"] = token
    reason = await handshake(call, record["mode"]["address"], token)
    current = call.resources.get(SUBSCRIPTION, record["id"])
    # the subscription may be gone or re-pointed meanwhile: only the probe it waits for counts
    if current is None or current.get("probe") != token:
        return
    if reason is not None:
        current["status"] = "Blacklisted"
        current["blacklisted"] = {"reason": reason, "blacklistedAt": iso(call.now)}


async def create(call: Call) -> Rendered:
    """POST /restapi/v1.0/subscription: probe the address, answer Active or Blacklisted."""
    record = _new_subscription(call)
    await _run_handshake(call, record)
    return answer(call, view(record, call.now))


def _new_subscription(call: Call) -> dict[str, Any]:
    data = json_object(call)
    filters = _filters(call, data.get("eventFilters"))
    mode = _mode(call, data.get("deliveryMode"))
    expires_in = _expires_in(call, data.get("expiresIn"))
    if len(call.resources.list(SUBSCRIPTION)) >= MAX_SUBSCRIPTIONS:
        call.reject("SUB-505")
    sid, now = call.env.ids.uuid(call.session), call.now
    record: dict[str, Any] = {
        "id": sid,
        "uri": f"{base_url(call)}{API}/subscription/{sid}",
        "created": now,
        "status": "Active",
        "filters": filters,
        "expires_in": expires_in,
        "expires": now + expires_in,
        "mode": mode,
    }
    call.resources.put(SUBSCRIPTION, sid, record)
    return record


def _find(call: Call) -> dict[str, Any]:
    record = call.resources.get(SUBSCRIPTION, call.args["subscriptionId"])
    if record is None:
        call.reject("CMN-102", 404, parameterName="subscriptionId")
    return record


def listing(call: Call) -> Rendered:
    """GET /restapi/v1.0/subscription: every subscription of the session."""
    now = call.now
    records = [view(r, now) for r in call.resources.list(SUBSCRIPTION)]
    return answer(call, {"uri": f"{base_url(call)}{API}/subscription", "records": records})


def fetch(call: Call) -> Rendered:
    """GET /restapi/v1.0/subscription/{id}."""
    return answer(call, view(_find(call), call.now))


def renew(call: Call) -> Rendered:
    """POST (or PUT) .../subscription/{id}/renew: the lifetime starts again."""
    record, now = _find(call), call.now
    record["expires"] = now + record["expires_in"]
    return answer(call, view(record, now))


async def update(call: Call) -> Rendered:
    """PUT .../subscription/{id}: new filters/delivery mode/lifetime if given; always renews."""
    record, probe = _apply_update(call)
    if probe:
        await _run_handshake(call, record)
    return answer(call, view(record, call.now))


def _apply_update(call: Call) -> tuple[dict[str, Any], bool]:
    record = _find(call)
    data = json_object(call, blank={})
    # validate everything before changing anything, so a rejected update changes nothing
    changes: dict[str, Any] = {}
    if "eventFilters" in data:
        changes["filters"] = _filters(call, data["eventFilters"])
    if "expiresIn" in data:
        changes["expires_in"] = _expires_in(call, data["expiresIn"])
    if "deliveryMode" in data:
        changes.update(mode=_mode(call, data["deliveryMode"]), status="Active")
    record.update(changes)
    if "mode" in changes:
        record.pop("blacklisted", None)
    record["expires"] = call.now + record["expires_in"]
    return record, "mode" in changes


def delete(call: Call) -> Rendered:
    """DELETE .../subscription/{id}: 204; no further notifications."""
    _find(call)
    call.resources.delete(SUBSCRIPTION, call.args["subscriptionId"])
    return empty(call, 204)
