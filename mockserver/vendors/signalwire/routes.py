"""The SignalWire happy-path route table (vendor-relative paths)."""

from __future__ import annotations

import mockserver.vendors.signalwire.accounts as accounts
import mockserver.vendors.signalwire.calls as calls
import mockserver.vendors.signalwire.messages as messages
import mockserver.vendors.signalwire.messaging as messaging
from mockserver.vendors.kit.routing import Router
from mockserver.vendors.signalwire.wire import methods

# Both the documented `/api/laml` prefix and the bare one the SDKs use; `.json` optional.
ACCOUNT = r"(?P<prefix>(?:/api/laml)?)/2010-04-01/Accounts/(?P<account>[^/]+?)"
JSON = r"(?:\.json)?"
SID = r"(?P<sid>[^/]+?)"
ID = r"/(?P<id>[^/]+)"

# Each path answers its methods; every other method answers 20004 (wire.methods).
ROUTER = Router(
    [
        *methods(ACCOUNT + JSON, {"GET": accounts.fetch}),
        *methods(ACCOUNT + "/Messages" + JSON, {"GET": messages.listing, "POST": messages.create}),
        *methods(
            ACCOUNT + "/Messages/" + SID + JSON,
            {"GET": messages.fetch, "POST": messages.update, "DELETE": messages.delete},
        ),
        *methods(ACCOUNT + "/Messages/" + SID + "/Media" + JSON, {"GET": messages.media}),
        *methods(ACCOUNT + "/Calls" + JSON, {"GET": calls.listing, "POST": calls.create}),
        *methods(
            ACCOUNT + "/Calls/" + SID + JSON,
            {"GET": calls.fetch, "POST": calls.update, "DELETE": calls.delete},
        ),
        *methods(messaging.BASE, {"GET": messaging.listing, "POST": messaging.create}),
        *methods(messaging.BASE + ID, {"GET": messaging.fetch, "PATCH": messaging.redact}),
        *methods(messaging.LOGS, {"GET": messaging.logs}),
        *methods(messaging.LOGS + ID, {"GET": messaging.log}),
    ]
)
