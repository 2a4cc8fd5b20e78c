"""Yeastar message/send: validation in the documented order, message sessions reused by target."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.wire import (
    INVALID,
    VENDOR,
    integer,
    invalid,
    json_object,
    required,
    rng,
    success,
    text,
)

SESSION_KIND = "message_session"
MESSAGE_KIND = "message"
# Documented `channel` values for starting a message session.
CHANNELS = frozenset(
    {
        *("general", "apidaze", "athena", "bandwidth", "flowroute", "ixica", "siptrunk"),
        *("skyetel", "telnyx", "twilio", "vetta", "voicemeup", "whatsapp", "facebook"),
        "livechat",
    }
)
SENDER_TYPES = frozenset({1, 9})  # 1 extension user, 9 third-party platform (documented)


def send(call: Call) -> Rendered:
    """Send in an existing session (`session_id`) or start one (`channel`, `did_number`, `to`)."""
    data = json_object(call)
    if data is INVALID:
        return call.error("40001")
    problem = sender_problem(call, data) or content_problem(call, data)
    if problem is not None:
        return problem
    found = find_session(call, data)
    if isinstance(found, Rendered):
        return found
    message_id = rng(call).randint(100_000, 999_999)
    stored = {"message_id": message_id, "session_id": found["session_id"], "created": call.now}
    call.env.resources.put(VENDOR, call.session, MESSAGE_KIND, str(message_id), stored)
    return success(session_id=found["session_id"], message_id=message_id)


def sender_problem(call: Call, data: dict[str, Any]) -> Rendered | None:
    """`sender_type` is required (1 or 9); an extension sender needs `sender_no`."""
    if "sender_type" not in data:
        return required(call, "sender_type")
    kind = integer(data["sender_type"])
    if kind not in SENDER_TYPES:
        return invalid(call, "sender_type", data["sender_type"])
    if kind == 1 and text(data.get("sender_no")) is None:
        return required(call, "sender_no")
    return None


def content_problem(call: Call, data: dict[str, Any]) -> Rendered | None:
    """A normal message needs `msg_body` (or `files`); a WhatsApp template its params."""
    kind = integer(data.get("msg_kind", 0))
    if kind == 1:
        has = text(data.get("whatsapp_msg_param")) is not None
        return None if has else required(call, "whatsapp_msg_param")
    if kind != 0:
        return invalid(call, "msg_kind", data.get("msg_kind"))
    has_files = isinstance(data.get("files"), list) and bool(data["files"])
    if text(data.get("msg_body")) is None and not has_files:
        return required(call, "msg_body")
    return None


def find_session(call: Call, data: dict[str, Any]) -> dict[str, Any] | Rendered:
    """The session to send in: the named one (80014 if unknown), else by channel/DID/to."""
    if data.get("session_id") is not None:
        wanted = integer(data["session_id"])
        found = call.env.resources.get(VENDOR, call.session, SESSION_KIND, str(wanted))
        return found if found is not None else call.error("80014")
    target = session_target(call, data)
    if isinstance(target, Rendered):
        return target
    for existing in call.env.resources.list(VENDOR, call.session, SESSION_KIND):
        if existing["target"] == target:
            return existing  # documented: same channel, DID and `to` reuse the session
    session_id = rng(call).randint(1000, 99_999)
    while call.env.resources.get(VENDOR, call.session, SESSION_KIND, str(session_id)):
        session_id += 1  # never overwrite another conversation
    created = {"session_id": session_id, "target": target}
    call.env.resources.put(VENDOR, call.session, SESSION_KIND, str(session_id), created)
    return created


def session_target(call: Call, data: dict[str, Any]) -> list[str] | Rendered:
    """`[channel, did_number, to]`, each required when no `session_id` is given."""
    channel = text(data.get("channel"))
    if channel is None:
        return required(call, "channel")
    if channel.lower() not in CHANNELS:
        return call.error("80018")
    did_number = text(data.get("did_number"))
    if did_number is None:
        return required(call, "did_number")
    to = text(data.get("to"))
    if to is None:
        return call.error("70621")
    return [channel.lower(), did_number, to]
