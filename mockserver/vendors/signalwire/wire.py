"""SignalWire request/answer helpers: JSON answers, bodies, owned records, dates, route sets."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, NoReturn

from mockserver.answers.rendered import JSON, Rendered, compact_json
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.kit.routing import Handler, Route, route
from mockserver.vendors.signalwire.envelope import API_VERSION, REQUEST_ID_HEADER

NOT_FOUND = "20404"
NOT_ALLOWED = "20004"
INVALID = "20422"  # "Invalid Parameter": also the 400 of an unreadable /api/* body
UNFINISHED = "20009"  # a message or call cannot be deleted before it reaches a final status
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def answer(call: Call, status: int, body: Any) -> Rendered:
    """A JSON success answer with the request id header every SignalWire answer carries."""
    payload = b"" if status == 204 else compact_json(body)
    return Rendered(status, payload, JSON, ((REQUEST_ID_HEADER, call.ctx.request_id),))


def json_body(call: Call) -> dict[str, Any]:
    """The /api/* JSON object body ({} when empty); 20422 as a 400 when it is not one.

    An unreadable body answers 400, where the catalogued 20422 is a 422 on /api/*.
    """
    data: dict[str, Any] = call.json(INVALID, status=400)
    return data


def public(record: Record) -> Record:
    """A stored record without the mock's own bookkeeping (keys starting with "_")."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def newest_first(call: Call, kind: str) -> list[Record]:
    """Every resource of a kind in this session, newest first (the order lists answer in)."""
    return list(reversed(call.resources.list(kind)))


def compat_base(call: Call) -> str:
    """`[/api/laml]/2010-04-01/Accounts/{sid}`, in the path form the request used."""
    return f"{call.args.get('prefix', '')}/{API_VERSION}/Accounts/{call.args['account']}"


def in_account(call: Call, record: Record) -> bool:
    """The record belongs to the path's AccountSid (projects never see each other's)."""
    return bool(record.get("account_sid") == call.args.get("account"))


def owned(call: Call, kind: str, sid: str) -> Record:
    """The path AccountSid's resource `sid`; 20404 when there is none."""
    record = call.resources.get(kind, sid)
    if record is None or not in_account(call, record):
        call.reject(NOT_FOUND)
    return record


def not_allowed(call: Call) -> NoReturn:
    """20004 Method not allowed: the resource exists, the method does not."""
    call.reject(NOT_ALLOWED)


def methods(pattern: str, handlers: dict[str, Handler]) -> Iterable[Route]:
    """The routes of one path: its handlers, then 20004 for every method no operation has."""
    for method in METHODS:
        handler = handlers.get(method)
        yield route(method, pattern, handler or not_allowed, fallback=handler is None)


def rfc2822(seconds: float) -> str:
    """The compat API's date format, e.g. `Tue, 02 Jan 2024 15:04:05 +0000`."""
    # whole seconds, so one formatting serves every record made within the same second
    # (email.utils' formatter was 9% of a compat SMS send: three dates per record)
    return _rfc2822(math.floor(seconds))


def iso8601(seconds: float) -> str:
    """The /api/* date format, e.g. `2024-01-02T15:04:05Z`."""
    return _iso8601(math.floor(seconds))


@functools.lru_cache(maxsize=64)
def _rfc2822(second: int) -> str:
    return format_datetime(datetime.fromtimestamp(second, UTC))


@functools.lru_cache(maxsize=64)
def _iso8601(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
