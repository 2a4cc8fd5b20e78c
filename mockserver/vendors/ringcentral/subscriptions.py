"""Webhook subscriptions: create (with the Validation-Token handshake), list, renew, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import aiohttp

from mockserver.answers.rendered import Rendered
from mockserver.callbacks.egress import refusal_of
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call, Env
from mockserver.vendors.ringcentral.common import (
    API,
    SUBSCRIPTION,
    VENDOR,
    Reject,
    answer,
    base_url,
    empty,
    every,
    fail,
    guarded,
    identity,
    invalid,
    iso,
    json_body,
    store,
    stored,
)
from mockserver.vendors.ringcentral.envelope import CONTENT_TYPE
from mockserver.vendors.ringcentral.notify import USER_AGENT

DEFAULT_EXPIRES_IN = 604_800  # a week (inferred: RingCentral's webhook default)
MAX_EXPIRES_IN = 315_360_000  # ten years; the docs' blacklist sample expires 15 years out
# inferred: neither the spec nor captured bodies document the wording of an unreachable
# address; one phrase for refused, timed out and blocked alike, so the answer is no probe
UNREACHABLE = "I/O operation is failed. Details: [Webhook server is unreachable]"
HANDSHAKE_TIMEOUT = 5.0  # seconds; RingCentral asks for an answer within 3 s, CI gets slack
_TOKENS = ("verificationToken", "validationToken")
# Handshakes run after the answer (handlers are synchronous); keep them referenced until done.


def view(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The subscription as RingCentral lists it (docs code-samples/webhooks/blacklist.json)."""
    body = {
        "uri": record["uri"],
        "id": record["id"],
        "creationTime": iso(record["created"]),
        "status": record["status"],
        "eventFilters": record["filters"],
        "expirationTime": iso(record["expires"]),
        "expiresIn": max(0, round(record["expires"] - now)),
        "deliveryMode": {"transportType": "WebHook", "encryption": False, **record["mode"]},
    }
    if "blacklisted" in record:
        body["blacklistedData"] = record["blacklisted"]
    return body


def _filters(call: Call, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(f, str) for f in value):
        raise invalid(call, "eventFilters")
    me = identity(call)
    out = []
    for item in value:
        if not item.startswith("/restapi/"):
            raise fail(call, "SUB-508", filters=item)
        # RingCentral answers with `~` resolved to the caller's account and extension ids
        expanded = item.replace("/account/~", f"/account/{me.account_id}")
        out.append(expanded.replace("/extension/~", f"/extension/{me.extension_id}"))
    return out


def _address(call: Call, value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(call, "deliveryMode.address", value)
    return str(value)


def _mode(call: Call, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid(call, "deliveryMode")
    transport = value.get("transportType")
    if transport != "WebHook":
        raise invalid(call, "deliveryMode.transportType", transport)
    mode = {"address": _address(call, value.get("address"))}
    for name in _TOKENS:
        if name in value:
            if not isinstance(value[name], str) or not value[name]:
                raise invalid(call, f"deliveryMode.{name}", value[name])
            mode[name] = value[name]
    return mode


def _expires_in(call: Call, value: Any) -> int:
    if value is None:
        return DEFAULT_EXPIRES_IN
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(call, "expiresIn", value)
    if not 1 <= value <= MAX_EXPIRES_IN:
        raise invalid(call, "expiresIn", value)
    return value


async def _probe(env: Env, address: str, token: str) -> tuple[str | None, dict[str, Any]]:
    """POST the handshake; (None if the token came back, else why not; the attempt to journal).

    The reason is RingCentral's generic wording only: echoing the transport error would tell
    a caller which hosts and ports answer. The cause goes to the journal, for the operator.
    """
    attempt: dict[str, Any] = {"number": 1, "time": env.clock(), "status": None}
    policy = env.callbacks.policy
    refusal = await policy.vet(address)
    if refusal is not None:
        attempt["error"] = refusal
        return UNREACHABLE, attempt
    sent = {"Validation-Token": token, "User-Agent": USER_AGENT, "Content-Type": CONTENT_TYPE}
    try:
        async with (
            policy.session(HANDSHAKE_TIMEOUT) as client,
            client.post(address, data=b"", headers=sent, allow_redirects=False) as resp,
        ):
            attempt["status"] = resp.status
            if resp.status != 200:
                return f"Webhook server response is invalid. HTTP status [{resp.status}]", attempt
            if resp.headers.get("Validation-Token") != token:
                attempt["error"] = "the answer did not echo the Validation-Token header"
                return (
                    "Webhook server response is invalid. Validation-Token header is missing",
                    attempt,
                )
            return None, attempt
    except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as err:
        attempt["error"] = refusal_of(err) or f"{type(err).__name__}: {err}"
        return UNREACHABLE, attempt


def _journal(
    env: Env, session: str | None, address: str, token: str, attempt: dict[str, Any]
) -> None:
    """Journal the handshake beside the other callback attempts (its real cause included)."""
    if env.callbacks.on_attempt is None:
        return
    headers = (("Validation-Token", token), ("User-Agent", USER_AGENT))
    probe = Callback(VENDOR, session, address, b"", CONTENT_TYPE, headers, event="handshake")
    env.callbacks.on_attempt(probe, attempt)


async def _handshake(env: Env, session: str | None, sid: str, address: str, token: str) -> None:
    reason, attempt = await _probe(env, address, token)
    _journal(env, session, address, token, attempt)
    record = env.resources.get(VENDOR, session, SUBSCRIPTION, sid)
    # the subscription may be gone or re-pointed meanwhile: only the probe it waits for counts
    if record is None or record.get("probe") != token:
        return
    if reason is not None:
        record["status"] = "Blacklisted"
        record["blacklisted"] = {"reason": reason, "blacklistedAt": iso(env.clock())}


async def _run_handshake(call: Call, record: dict[str, Any]) -> None:
    # RingCentral probes the address before it answers the create/update call
    token = record["mode"].get("validationToken") or call.env.ids.uuid(call.session)
    record["probe"] = token
    await _handshake(call.env, call.session, record["id"], record["mode"]["address"], token)


async def create(call: Call) -> Rendered:
    """POST /restapi/v1.0/subscription: probe the address, answer Active or Blacklisted."""
    try:
        record = _new_subscription(call)
    except Reject as err:
        return err.rendered
    await _run_handshake(call, record)
    return answer(call, view(record, call.now))


def _new_subscription(call: Call) -> dict[str, Any]:
    data = json_body(call)
    filters = _filters(call, data.get("eventFilters"))
    mode = _mode(call, data.get("deliveryMode"))
    expires_in = _expires_in(call, data.get("expiresIn"))
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
    store(call, SUBSCRIPTION, sid, record)
    return record


def _find(call: Call) -> dict[str, Any]:
    record = stored(call, SUBSCRIPTION, call.args["subscriptionId"])
    if record is None:
        raise fail(call, "CMN-102", 404, parameterName="subscriptionId")
    return record


@guarded
def listing(call: Call) -> Rendered:
    """GET /restapi/v1.0/subscription: every subscription of the session."""
    now = call.now
    records = [view(r, now) for r in every(call, SUBSCRIPTION)]
    return answer(call, {"uri": f"{base_url(call)}{API}/subscription", "records": records})


@guarded
def fetch(call: Call) -> Rendered:
    """GET /restapi/v1.0/subscription/{id}."""
    return answer(call, view(_find(call), call.now))


@guarded
def renew(call: Call) -> Rendered:
    """POST (or PUT) .../subscription/{id}/renew: the lifetime starts again."""
    record, now = _find(call), call.now
    record["expires"] = now + record["expires_in"]
    return answer(call, view(record, now))


async def update(call: Call) -> Rendered:
    """PUT .../subscription/{id}: new filters/delivery mode/lifetime if given; always renews."""
    try:
        record, probe = _apply_update(call)
    except Reject as err:
        return err.rendered
    if probe:
        await _run_handshake(call, record)
    return answer(call, view(record, call.now))


def _apply_update(call: Call) -> tuple[dict[str, Any], bool]:
    record = _find(call)
    data = json_body(call) if call.snapshot.body.strip() else {}
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


@guarded
def delete(call: Call) -> Rendered:
    """DELETE .../subscription/{id}: 204; no further notifications."""
    _find(call)
    call.env.resources.delete(VENDOR, call.session, SUBSCRIPTION, call.args["subscriptionId"])
    return empty(call, 204)
