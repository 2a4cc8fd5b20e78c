"""The SignalWire happy-path route table (vendor-relative paths)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.routing import Handler, Route, Router, route
from mockserver.vendors.signalwire import calls, callupdate, messages, rest
from mockserver.vendors.signalwire.common import answer, compat_base, store, stored
from mockserver.vendors.signalwire.envelope import API_VERSION
from mockserver.vendors.signalwire.lifecycle import rfc2822

# Both the documented `/api/laml` prefix and the bare one the SDKs use; `.json` optional.
ACCOUNT = r"(?P<prefix>(?:/api/laml)?)/2010-04-01/Accounts/(?P<account>[^/]+?)"
JSON = r"(?:\.json)?"
SID = r"(?P<sid>[^/]+?)"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def account(call: Call) -> Rendered:
    """GET .../Accounts/{sid}: the project as an Account (SDKs fetch it to check credentials)."""
    record = stored(call, "account", call.args["account"])
    if record is None:
        now = rfc2822(call.now)
        base = compat_base(call)
        record = {
            "sid": call.args["account"],
            "owner_account_sid": call.args["account"],
            "friendly_name": call.env.ids.faker(call.session).company(),
            "status": "active",
            "type": "Full",
            "date_created": now,
            "date_updated": now,
            "uri": base + ".json",
            "subresource_uris": {
                name.lower(): f"{base}/{name}.json" for name in ("Messages", "Calls")
            },
        }
        store(call, "account", call.args["account"], record)
    return answer(call, 200, {**record, "api_version": API_VERSION})


def not_allowed(call: Call) -> Rendered:
    """20004 Method not allowed: the resource exists, the method does not."""
    return call.error("20004")


def resource(pattern: str, handlers: dict[str, Handler]) -> Iterable[Route]:
    """The routes of one path: its handlers, then 20004 for every other method."""
    for method in METHODS:
        yield route(method, pattern, handlers.get(method, not_allowed))


TABLE: list[tuple[str, dict[str, Any]]] = [
    (ACCOUNT + JSON, {"GET": account}),
    (
        ACCOUNT + "/Messages" + JSON,
        {"GET": messages.listing, "POST": messages.create},
    ),
    (
        ACCOUNT + "/Messages/" + SID + JSON,
        {"GET": messages.fetch, "POST": messages.update, "DELETE": messages.delete},
    ),
    (ACCOUNT + "/Messages/" + SID + "/Media" + JSON, {"GET": messages.media}),
    (ACCOUNT + "/Calls" + JSON, {"GET": calls.listing, "POST": calls.create}),
    (
        ACCOUNT + "/Calls/" + SID + JSON,
        {"GET": calls.fetch, "POST": callupdate.update, "DELETE": calls.delete},
    ),
    (rest.BASE, {"GET": rest.listing, "POST": rest.create}),
    (rest.BASE + r"/(?P<id>[^/]+)", {"GET": rest.fetch, "PATCH": rest.redact}),
    (rest.LOGS, {"GET": rest.logs}),
    (rest.LOGS + r"/(?P<id>[^/]+)", {"GET": rest.log}),
]

ROUTER = Router([item for pattern, handlers in TABLE for item in resource(pattern, handlers)])
