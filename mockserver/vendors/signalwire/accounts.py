"""Compat Account: the project seen as a Twilio Account (SDKs fetch it to check credentials)."""

from __future__ import annotations

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.envelope import API_VERSION
from mockserver.vendors.signalwire.wire import answer, compat_base, rfc2822

KIND = "account"
COLLECTIONS = ("Messages", "Calls")


def fetch(call: Call) -> Rendered:
    """GET .../Accounts/{sid}: made on first sight, then the same for the session."""
    sid = call.args["account"]
    record = call.resources.get(KIND, sid)
    if record is None:
        record = new_record(call, sid)
        call.resources.put(KIND, sid, record)
    return answer(call, 200, {**record, "api_version": API_VERSION})


def new_record(call: Call, sid: str) -> Record:
    """An active Full account named after a seeded Faker company."""
    now = rfc2822(call.now)
    base = compat_base(call)
    return {
        "sid": sid,
        "owner_account_sid": sid,
        "friendly_name": call.env.ids.faker(call.session).company(),
        "status": "active",
        "type": "Full",
        "date_created": now,
        "date_updated": now,
        "uri": base + ".json",
        "subresource_uris": {name.lower(): f"{base}/{name}.json" for name in COLLECTIONS},
    }
