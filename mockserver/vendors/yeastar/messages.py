"""Yeastar message/send: validation in the documented order, message sessions reused by target."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.wire import body, integer, invalid, required, success, text

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
    data = body(call)
    check_sender(call, data)
    check_content(call, data)
    session_id = find_session(call, data)["session_id"]
    message_id = call.rng.randint(100_000, 999_999)
    stored = {"message_id": message_id, "session_id": session_id, "created": call.now}
    call.resources.put(MESSAGE_KIND, str(message_id), stored)
    return success(session_id=session_id, message_id=message_id)


def check_sender(call: Call, data: dict[str, Any]) -> None:
    """`sender_type` is required (1 or 9); an extension sender needs `sender_no`."""
    if "sender_type" not in data:
        required(call, "sender_type")
    kind = integer(data["sender_type"])
    if kind not in SENDER_TYPES:
        invalid(call, "sender_type", data["sender_type"])
    if kind == 1 and text(data.get("sender_no")) is None:
        required(call, "sender_no")


def check_content(call: Call, data: dict[str, Any]) -> None:
    """A normal message needs `msg_body` (or `files`); a WhatsApp template its params."""
    kind = integer(data.get("msg_kind", 0))
    if kind == 1:
        if text(data.get("whatsapp_msg_param")) is None:
            required(call, "whatsapp_msg_param")
        return
    if kind != 0:
        invalid(call, "msg_kind", data.get("msg_kind"))
    has_files = isinstance(data.get("files"), list) and bool(data["files"])
    if text(data.get("msg_body")) is None and not has_files:
        required(call, "msg_body")


def find_session(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """The session to send in: the named one (80014 if unknown), else by channel/DID/to."""
    if data.get("session_id") is not None:
        found = call.resources.get(SESSION_KIND, str(integer(data["session_id"])))
        if found is None:
            call.reject("80014")
        return found
    target = session_target(call, data)
    for existing in call.resources.list(SESSION_KIND):
        if existing["target"] == target:
            return existing  # documented: same channel, DID and `to` reuse the session
    session_id = call.rng.randint(1000, 99_999)
    while call.resources.get(SESSION_KIND, str(session_id)):
        session_id += 1  # never overwrite another conversation
    created = {"session_id": session_id, "target": target}
    call.resources.put(SESSION_KIND, str(session_id), created)
    return created


def session_target(call: Call, data: dict[str, Any]) -> list[str]:
    """`[channel, did_number, to]`, each required when no `session_id` is given."""
    channel = text(data.get("channel"))
    if channel is None:
        required(call, "channel")
    if channel.lower() not in CHANNELS:
        call.reject("80018")
    did_number = text(data.get("did_number"))
    if did_number is None:
        required(call, "did_number")
    to = text(data.get("to"))
    if to is None:
        call.reject("70621")
    return [channel.lower(), did_number, to]
