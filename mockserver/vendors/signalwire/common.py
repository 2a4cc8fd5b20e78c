"""Helpers every SignalWire happy-path handler shares: answers, stores, public views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.answers.rendered import JSON, Rendered, compact_json
from mockserver.vendors.kit.call import Call
from mockserver.vendors.signalwire.envelope import API_VERSION, REQUEST_ID_HEADER
from mockserver.vendors.signalwire.paging import compat_page, locate, parse_page

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


def compat_listing(
    call: Call,
    kind: str,
    collection: str,
    filter_names: tuple[str, ...],
    view: Callable[[dict[str, Any], float], dict[str, Any]],
) -> Rendered:
    """A Twilio-paged compat list (`{collection}.json`), newest first, filtered on the views.

    Filters apply to the view, not the stored record, because some fields (a call's Status)
    are computed from the clock when read.
    """
    req = parse_page(call.snapshot.query)
    if isinstance(req, str):
        return call.error(req)
    query = call.snapshot.query
    filters = [(name, query[name]) for name in filter_names if name in query]
    views = [view(r, call.now) for r in newest_first(call, kind) if owned(call, r)]
    items = [v for v in views if all(v[name.lower()] == value for name, value in filters)]
    window = locate([str(item["sid"]) for item in items], req)
    if window is None:
        return call.error("21481")
    base = f"{compat_base(call)}/{collection}.json"
    return answer(call, 200, compat_page(items, collection.lower(), base, filters, window))
