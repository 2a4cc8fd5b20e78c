"""Natural validation of send requests: which catalogued code a real request would get."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

# E.164: "+", a non-zero country digit, 8 to 15 digits in all (the mock's concrete rule).
E164 = re.compile(r"\+[1-9]\d{7,14}")
SHORT_CODE = re.compile(r"[1-9]\d{4,5}")
# Calls may also dial SIP URIs and client identifiers (documented for To).
ADDRESS = re.compile(r"(?:sip:[^\s@]+@[^\s@]+|client:\S+)")
MAX_BODY = 1600  # 21617: counted in UTF-16 units, so an emoji counts twice (documented)
MAX_MEDIA = 10  # 21623
MAX_URL = 4000  # 21609: "The maximum length of the StatusCallback is 4000 characters"
CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Problem:
    """A catalogued error and the request field it is about."""

    key: str
    attribute: str


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


def message_problem(req: MessageRequest) -> Problem | None:
    """The first problem of a send-message request, in the order the checks run."""
    if not req.to:
        return Problem("21604", "to")
    if not req.from_ and not req.service:
        return Problem("21603", "from")
    if not is_e164(req.to):
        return Problem("21211", "to")
    if req.from_ and not is_sender(req.from_):
        return Problem("21212", "from")
    return content_problem(req)


def content_problem(req: MessageRequest) -> Problem | None:
    """Body, media and callback checks of a send-message request."""
    if not req.body and not req.media:
        return Problem("21602", "body")
    if req.body and utf16_length(req.body) > MAX_BODY:
        return Problem("21617", "body")
    if len(req.media) > MAX_MEDIA:
        return Problem("21623", "media")
    if not all(is_url(url) for url in req.media):
        return Problem("21620", "media")
    if req.status_callback is not None and not is_url(req.status_callback):
        return Problem("21609", "status_callback")
    return None


def call_problem(form: dict[str, str], events: Sequence[str]) -> Problem | None:
    """The first problem of a compat create-call form."""
    to, from_ = form.get("To", ""), form.get("From", "")
    if not to:
        return Problem("21201", "To")
    if not from_:
        return Problem("21213", "From")
    if not is_call_address(to):
        return Problem("21211", "To")
    if not is_call_address(from_):
        return Problem("21212", "From")
    return call_handler_problem(form, events)


def call_handler_problem(form: dict[str, str], events: Sequence[str]) -> Problem | None:
    """What handles the call (Url/Twiml/ApplicationSid) and where its status goes."""
    url = form.get("Url", "")
    if not url and not any(form.get(name) for name in ("Twiml", "Laml", "ApplicationSid")):
        return Problem("21205", "Url")
    if url and not is_url(url):
        return Problem("21205", "Url")
    callback = form.get("StatusCallback")
    if callback and not is_url(callback):
        return Problem("21609", "StatusCallback")
    if any(event not in CALL_EVENTS for event in events):
        return Problem("21626", "StatusCallbackEvent")
    return None
