"""Compat Account: the project seen as a Twilio Account (SDKs fetch it to check credentials)."""

from __future__ import annotations

import re

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.wire import answer, compat_base, rfc2822

KIND = "account"
# The spec's SubresourceUris: these keys carry a URI, the others are always null.
LINKED = (
    "AvailablePhoneNumbers",
    "Applications",
    "Calls",
    "Conferences",
    "IncomingPhoneNumbers",
    "Queues",
    "Recordings",
    "Messages",
    "Transcriptions",
)
UNLINKED = (
    "addresses",
    "authorized_connect_apps",
    "connect_apps",
    "keys",
    "notifications",
    "outgoing_caller_ids",
    "sandbox",
    "sip",
    "short_codes",
    "usage",
)
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def fetch(call: Call) -> Rendered:
    """GET .../Accounts/{sid}: made on first sight, then the same for the session."""
    sid = call.args["account"]
    record = call.resources.get(KIND, sid)
    if record is None:
        record = new_record(call, sid)
        call.resources.put(KIND, sid, record)
    return answer(call, 200, record)


def new_record(call: Call, sid: str) -> Record:
    """An active Full project named after a seeded Faker company, as the spec's Account."""
    now = rfc2822(call.now)
    base = compat_base(call)
    return {
        "sid": sid,
        "owner_account_sid": sid,
        "friendly_name": call.env.ids.faker(call.session).company(),
        "status": "active",
        "auth_token": "redacted",  # documented: never the real token
        "type": "Full",
        "region_preference": "us-east",  # inferred: the spec's example value
        "subproject": False,
        "signing_key": None,  # documented: only shown once, when a subproject is created
        "date_created": now,
        "date_updated": now,
        "uri": base + ".json",
        "subresource_uris": subresource_uris(base),
    }


def subresource_uris(base: str) -> dict[str, str | None]:
    """Every key the spec's SubresourceUris requires: `calls` -> `{base}/Calls.json`, ..."""
    linked = {CAMEL.sub("_", name).lower(): f"{base}/{name}.json" for name in LINKED}
    return {**linked, **dict.fromkeys(UNLINKED)}
