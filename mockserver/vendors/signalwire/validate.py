"""Natural validation of requests: rejected with the catalogued code a real one would get."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockserver.vendors.kit.call import Call

# E.164: "+", a non-zero country digit, 8 to 15 digits in all (the mock's concrete rule).
E164 = re.compile(r"\+[1-9]\d{7,14}")
SHORT_CODE = re.compile(r"[1-9]\d{4,5}")
# Calls may also dial SIP URIs and client identifiers (documented for To).
ADDRESS = re.compile(r"(?:sip:[^\s@]+@[^\s@]+|client:\S+)")
MAX_BODY = 1600  # 21617: counted in UTF-16 units, so an emoji counts twice (documented)
MAX_MEDIA = 10  # 21623
MAX_URL = 4000  # 21609: "The maximum length of the StatusCallback is 4000 characters"
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})
# UpdateCallRequest's `Status` enum (sw-compat.yaml)
CALL_TARGETS = frozenset({"canceled", "completed"})
# The /api/messaging send fields that are JSON strings
TEXT_FIELDS = ("to", "from", "body", "status_callback")

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class MessageRequest:
    """What a send-message request carries, whichever API it came through."""

    to: str | None
    from_: str | None
    body: str | None
    media: Sequence[str]
    status_callback: str | None
    service: str | None = None


def is_e164(value: str) -> bool:
    """A phone number in E.164 form."""
    return E164.fullmatch(value) is not None


def is_sender(value: str) -> bool:
    """A number messages may come from: E.164 or a 5-6 digit short code."""
    return is_e164(value) or SHORT_CODE.fullmatch(value) is not None


def is_call_address(value: str) -> bool:
    """What a call may be placed to or from: E.164, a SIP URI or a client identifier."""
    return is_e164(value) or ADDRESS.fullmatch(value) is not None


def is_url(value: str) -> bool:
    """An absolute http(s) URL with a host, no whitespace, at most 4000 characters."""
    if len(value) > MAX_URL or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as carriers count UCS-2 text."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def segments(text: str) -> int:
    """SMS segments: 160/153 GSM-7 septets, else 70/67 UCS-2 units (at least one)."""
    if all(ch in GSM7 or ch in GSM7_EXTENDED for ch in text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        units, single, multi = utf16_length(text), 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def check_message(call: Call, req: MessageRequest) -> None:
    """Reject a send-message request with its first problem, in the order the checks run."""
    if not req.to:
        call.reject("21604", attribute="to")
    if not req.from_ and not req.service:
        call.reject("21603", attribute="from")
    if not is_e164(req.to):
        call.reject("21211", attribute="to")
    if req.from_ and not is_sender(req.from_):
        call.reject("21212", attribute="from")
    check_content(call, req)


def check_content(call: Call, req: MessageRequest) -> None:
    """Body, media and callback checks of a send-message request."""
    if not req.body and not req.media:
        call.reject("21602", attribute="body")
    if req.body and utf16_length(req.body) > MAX_BODY:
        call.reject("21617", attribute="body")
    if len(req.media) > MAX_MEDIA:
        call.reject("21623", attribute="media")
    if not all(is_url(url) for url in req.media):
        call.reject("21620", attribute="media")
    if req.status_callback is not None and not is_url(req.status_callback):
        call.reject("21609", attribute="status_callback")


def check_call(call: Call, form: dict[str, str], events: Sequence[str]) -> None:
    """Reject a compat create-call form with its first problem."""
    to, from_ = form.get("To", ""), form.get("From", "")
    if not to:
        call.reject("21201", attribute="To")
    if not from_:
        call.reject("21213", attribute="From")
    if not is_call_address(to):
        call.reject("21211", attribute="To")
    if not is_call_address(from_):
        call.reject("21212", attribute="From")
    check_call_handler(call, form, events)


def check_call_handler(call: Call, form: dict[str, str], events: Sequence[str]) -> None:
    """What handles the call (Url/Twiml/ApplicationSid) and where its status goes."""
    url = form.get("Url", "")
    if not url and not any(form.get(name) for name in ("Twiml", "Laml", "ApplicationSid")):
        call.reject("21205", attribute="Url")
    if url and not is_url(url):
        call.reject("21205", attribute="Url")
    callback = form.get("StatusCallback")
    if callback and not is_url(callback):
        call.reject("21609", attribute="StatusCallback")
    if any(event not in CALL_EVENTS for event in events):
        call.reject("21626", attribute="StatusCallbackEvent")


def check_call_update(call: Call, form: dict[str, str]) -> None:
    """The first invalid field of a call update form (Status, the URLs, the methods)."""
    status = form.get("Status")
    if status is not None and status not in CALL_TARGETS:
        call.reject("20422", attribute="Status")
    for name in ("Url", "FallbackUrl", "StatusCallback"):
        value = form.get(name)
        if value is not None and not is_url(value):
            call.reject("21609" if name == "StatusCallback" else "21205", attribute=name)
    for name in ("Method", "FallbackMethod", "StatusCallbackMethod"):
        if form.get(name, "POST").upper() not in ("GET", "POST"):
            call.reject("21209", attribute=name)


def check_types(call: Call, data: dict[str, Any]) -> None:
    """20422 for an /api/* field of the wrong JSON type (strings; a list of strings for media)."""
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            call.reject("20422", attribute=name)
    media = data.get("media")
    if media is not None and not (
        isinstance(media, list) and all(isinstance(url, str) for url in media)
    ):
        call.reject("20422", attribute="media")
