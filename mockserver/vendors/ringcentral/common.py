"""Helpers every RingCentral happy-path handler shares: answers, rejections, ids, times, numbers."""

from __future__ import annotations

import functools
import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.ids import id_bounds
from mockserver.vendors.ringcentral.envelope import CONTENT_TYPE, jackson_json

VENDOR = "ringcentral"
API = "/restapi/v1.0"
SUBSCRIPTION = "subscription"  # resource kind, shared by the handlers and the notifier
# Outside a request (no Host header) URIs name the real platform, as RingCentral's own do.
PLATFORM = "https://platform.ringcentral.com"
DAY = 86_400.0
_SEPARATORS = re.compile(r"[\s().\-]")
_DIGITS = re.compile(r"[0-9]+")


class Reject(Exception):
    """A natural, catalogued error answer raised from deep inside validation."""

    def __init__(self, rendered: Rendered) -> None:
        super().__init__(rendered.status)
        self.rendered = rendered


def fail(call: Call, key: str, status: int | None = None, **params: str) -> Reject:
    """A rejection carrying `call.error(...)`, to `raise`."""
    return Reject(call.error(key, status, **params))


def invalid(call: Call, name: str, value: Any = None) -> Reject:
    """CMN-101 "Parameter [name] value is invalid.", with the offending scalar value if any."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return fail(call, "CMN-101", parameterName=name, parameterValue=str(value))
    return fail(call, "CMN-101", parameterName=name)


def guarded(handler: Callable[[Call], Rendered]) -> Callable[[Call], Rendered]:
    """Let a handler `raise fail(...)` instead of threading error answers through returns."""

    @functools.wraps(handler)
    def run(call: Call) -> Rendered:
        try:
            return handler(call)
        except Reject as err:
            return err.rendered

    return run


def answer(call: Call, body: Any, status: int = 200) -> Rendered:
    """A success answer: pretty-printed like every RingCentral capture, with its headers."""
    headers = call.vendor.success_headers(call.ctx)
    return Rendered(status, jackson_json(body).encode(), CONTENT_TYPE, headers)


def empty(call: Call, status: int = 200) -> Rendered:
    """A bodiless success answer (revoke, delete)."""
    return Rendered(status, b"", CONTENT_TYPE, call.vendor.success_headers(call.ctx))


def stored(call: Call, kind: str, rid: str) -> dict[str, Any] | None:
    """A resource of this session, or None."""
    return call.env.resources.get(VENDOR, call.session, kind, rid)


def store(call: Call, kind: str, rid: str, record: dict[str, Any]) -> None:
    """Keep a resource in this session."""
    call.env.resources.put(VENDOR, call.session, kind, rid, record)


def every(call: Call, kind: str) -> list[dict[str, Any]]:
    """Every resource of a kind in this session, oldest first."""
    return call.env.resources.list(VENDOR, call.session, kind)


def json_body(call: Call) -> dict[str, Any]:
    """The request's JSON object: CMN-103 when it does not parse, CMN-104 when it is no object."""
    if not call.snapshot.json_valid:
        raise fail(call, "CMN-103")
    data = call.snapshot.json
    if not isinstance(data, dict):
        raise fail(call, "CMN-104")
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
    except (ValueError, OverflowError, OSError) as err:
        raise invalid(call, name, value) from err


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
    port = call.env.settings.vendor_ports.get(VENDOR)
    root = port is not None and host.rpartition(":")[2] == str(port)
    return f"{scheme or 'http'}://{host}{'' if root else '/' + VENDOR}"


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
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return str(low + int(digest, 16) % (high - low + 1))


@dataclass(frozen=True)
class Identity:
    """The account and extension a session is logged in as."""

    account_id: str
    extension_id: str
    first_name: str
    last_name: str
    phone: str

    @property
    def name(self) -> str:
        """The display name RingCentral puts in `from.name` and extension info."""
        return f"{self.first_name} {self.last_name}"


@functools.lru_cache(maxsize=256)
def _identity(seed: int, session: str | None) -> Identity:
    from faker import Faker  # slow to import; only the first session of a run pays for it

    # Its own seeded streams, not the session's: the identity must not depend on call order.
    salt = f"{seed}:{session}:ringcentral-identity"
    rng = random.Random(salt)
    fake = Faker("en_US")
    fake.seed_instance(salt)
    area = rng.choice(("212", "310", "415", "512", "617", "650", "720", "917"))
    return Identity(
        account_id=str(rng.randint(100_000_000, 999_999_999)),
        extension_id=str(rng.randint(1_000_000_000, 9_999_999_999)),
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        phone=f"+1{area}55501{rng.randint(0, 99):02d}",  # 555-01xx: reserved for fiction
    )


def identity_of(call: Call, session: str | None) -> Identity:
    """Who a session's tokens belong to (owner_id, account and extension ids)."""
    return _identity(call.env.settings.seed, session)


def identity(call: Call) -> Identity:
    """Who this request's session is logged in as."""
    return identity_of(call, call.session)


def extension_path(call: Call) -> str:
    """`/restapi/v1.0/account/{id}/extension/{id}` with the session's real ids."""
    me = identity(call)
    return f"{API}/account/{me.account_id}/extension/{me.extension_id}"
