"""Who is logged in: extension info and the extension's phone numbers (the SMS quick start's `from`)."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.common import (
    API,
    answer,
    base_url,
    extension_path,
    guarded,
    identity,
    stable_digits,
)
from mockserver.vendors.ringcentral.paging import paginate

# The official quick starts pick the first number whose features include "SmsSender".
_FEATURES = ["CallerId", "SmsSender", "MmsSender", "InternationalSmsSender"]


def _phone_number(call: Call) -> dict[str, Any]:
    me = identity(call)
    pid = int(stable_digits(9, call.env.settings.seed, call.session, "phone-number"))
    return {
        "uri": f"{base_url(call)}{extension_path(call)}/phone-number/{pid}",
        "id": pid,
        "phoneNumber": me.phone,
        "paymentType": "Local",
        "type": "VoiceFax",
        "usageType": "DirectNumber",
        "status": "Normal",
        "primary": True,
        "country": {
            "uri": f"{base_url(call)}{API}/dictionary/country/1",
            "id": "1",
            "name": "United States",
        },
        "features": _FEATURES,
    }


@guarded
def phone_numbers(call: Call) -> Rendered:
    """GET .../extension/{id}/phone-number: the session's one SMS-capable direct number."""
    return answer(call, paginate(call, [_phone_number(call)], call.snapshot.path))


@guarded
def extension_info(call: Call) -> Rendered:
    """GET .../extension/{id}: the logged-in user (ids match the token's owner_id)."""
    me = identity(call)
    account_uri = f"{base_url(call)}{API}/account/{me.account_id}"
    body = {
        "uri": f"{base_url(call)}{extension_path(call)}",
        "id": int(me.extension_id),
        "extensionNumber": "101",
        "contact": {
            "firstName": me.first_name,
            "lastName": me.last_name,
            "email": f"{me.first_name}.{me.last_name}@example.com".lower(),
        },
        "name": me.name,
        "type": "User",
        "status": "Enabled",
        "account": {"uri": account_uri, "id": me.account_id},
    }
    return answer(call, body)
