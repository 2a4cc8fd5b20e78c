"""Helpers every SignalWire happy-path handler shares: answers, stores, public views."""

from __future__ import annotations

from typing import Any

from mockserver.happy import Call
from mockserver.render import JSON, Rendered, compact_json
from mockserver.vendors.signalwire.envelope import API_VERSION, REQUEST_ID_HEADER

VENDOR = "signalwire"


def answer(call: Call, status: int, body: Any) -> Rendered:
    """A JSON success answer with the request id header every SignalWire answer carries."""
    payload = b"" if status == 204 else compact_json(body)
    return Rendered(status, payload, JSON, ((REQUEST_ID_HEADER, call.ctx.request_id),))


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without the mock's own bookkeeping (keys starting with "_")."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def stored(call: Call, kind: str, rid: str) -> dict[str, Any] | None:
    """A resource of this session, or None."""
    return call.env.resources.get(VENDOR, call.session, kind, rid)


def store(call: Call, kind: str, rid: str, record: dict[str, Any]) -> None:
    """Keep a resource in this session."""
    call.env.resources.put(VENDOR, call.session, kind, rid, record)


def forget(call: Call, kind: str, rid: str) -> None:
    """Delete a resource of this session."""
    call.env.resources.delete(VENDOR, call.session, kind, rid)


def newest_first(call: Call, kind: str) -> list[dict[str, Any]]:
    """Every resource of a kind in this session, newest first (the order lists answer in)."""
    return list(reversed(call.env.resources.list(VENDOR, call.session, kind)))


def compat_base(call: Call) -> str:
    """`[/api/laml]/2010-04-01/Accounts/{sid}`, in the path form the request used."""
    return f"{call.args.get('prefix', '')}/{API_VERSION}/Accounts/{call.args['account']}"


def owned(call: Call, record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The record if it belongs to the path's AccountSid (projects never see each other's)."""
    if record is None or record.get("account_sid") != call.args.get("account"):
        return None
    return record


def not_found(call: Call) -> Rendered:
    """20404: what every unknown id answers."""
    return call.error("20404")
