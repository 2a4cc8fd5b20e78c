"""RingCentral request and answer helpers: success answers, CMN-101, JSON bodies, times, numbers, ids."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, NoReturn

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import REQUIRED, Call
from mockserver.vendors.kit.ids import id_bounds
from mockserver.vendors.ringcentral.envelope import CONTENT_TYPE, jackson_json, success_headers

API = "/restapi/v1.0"
SUBSCRIPTION = "subscription"  # resource kind, shared by the handlers and the callbacks
# Outside a request (no Host header) URIs name the real platform, as RingCentral's own do.
PLATFORM = "https://platform.ringcentral.com"
DAY = 86_400.0
_SEPARATORS = re.compile(r"[\s().\-]")
_DIGITS = re.compile(r"[0-9]+")


def reject_invalid(call: Call, name: str, value: Any = None) -> NoReturn:
    """Reject with CMN-101 "Parameter [name] value is invalid.", echoing a scalar value if any."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        call.reject("CMN-101", parameterName=name, parameterValue=str(value))
    call.reject("CMN-101", parameterName=name)


def answer(call: Call, body: Any, status: int = 200) -> Rendered:
    """A success answer: pretty-printed like every RingCentral capture, with its headers."""
    headers = success_headers(call.ctx)
    return Rendered(status, jackson_json(body).encode(), CONTENT_TYPE, headers)


def empty(call: Call, status: int = 200) -> Rendered:
    """A bodiless success answer (revoke, delete)."""
    return Rendered(status, b"", CONTENT_TYPE, success_headers(call.ctx))


def json_object(call: Call, *, blank: Any = REQUIRED) -> dict[str, Any]:
    """The request's JSON object: CMN-103 when it does not parse, CMN-104 when it is no object.

    A blank body does not parse either, unless `blank` says what it stands for.
    """
    data = call.json("CMN-103", empty=blank, objects_only=False)
    if not isinstance(data, dict):
        call.reject("CMN-104")
    return data


def iso(ts: float) -> str:
    """RingCentral's timestamp format: UTC, milliseconds, `Z` (2026-01-01T00:00:00.000Z)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(call: Call, name: str, value: str) -> float:
    """An ISO 8601 query value as epoch seconds (naive means UTC); CMN-101 when unreadable."""
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError, OSError):
        reject_invalid(call, name, value)


def date_window(call: Call) -> tuple[float, float]:
    """`dateFrom`..`dateTo` of a list call; by default the last 24 hours, as RingCentral lists."""
    query = call.snapshot.query
    end = parse_time(call, "dateTo", query["dateTo"]) if "dateTo" in query else call.now
    start = parse_time(call, "dateFrom", query["dateFrom"]) if "dateFrom" in query else end - DAY
    return start, end


def base_url(call: Call) -> str:
    """Scheme, host and mount point the client used, so `uri` fields lead back to the mock."""
    host = call.snapshot.headers.get("host")
    if not host:
        return PLATFORM
    scheme = call.snapshot.headers.get("x-forwarded-proto", "http").split(",")[0].strip()
    # a `--vendor-port ringcentral=N` listener serves the vendor at the root path
    vendor = call.vendor.name
    port = call.env.settings.vendor_ports.get(vendor)
    root = port is not None and host.rpartition(":")[2] == str(port)
    return f"{scheme or 'http'}://{host}{'' if root else '/' + vendor}"


def is_digits(value: str) -> bool:
    """ASCII digits only (`int()` would also take other scripts' digits)."""
    return _DIGITS.fullmatch(value) is not None


def e164(value: Any) -> str | None:
    """A phone number in E.164, from the forms RingCentral accepts; None when malformed."""
    if not isinstance(value, str):
        return None
    raw = _SEPARATORS.sub("", value)
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    if not is_digits(digits) or digits.startswith("0"):
        return None
    if not plus:  # national NANP forms: 6505550100, 16505550100
        digits = "1" + digits if len(digits) == 10 else digits
        if len(digits) != 11 or not digits.startswith("1"):
            return None
    if not 7 <= len(digits) <= 15 or (digits.startswith("1") and len(digits) != 11):
        return None
    return "+" + digits


def stable_digits(length: int, *parts: object) -> str:
    """Digits derived from `parts` (not a random stream): the same inputs give the same id.

    Capped at 2**63 - 1: RingCentral's numeric ids are Java longs, and a 19-digit id above
    that breaks every Java and .NET client that parses it.
    """
    low, high = id_bounds(length)
    # lone surrogates (a session header's undecodable bytes) must hash, not raise
    digest = hashlib.sha256(":".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()
    return str(low + int(digest, 16) % (high - low + 1))
