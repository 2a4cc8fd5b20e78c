"""Who is logged in: the session's identity, extension info and its phone numbers (the SMS `from`)."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.paging import ENUMERATED_MAX_PAGE, paginate
from mockserver.vendors.ringcentral.wire import API, answer, base_url, stable_digits

# The official quick starts pick the first number whose features include "SmsSender".
_FEATURES = ["CallerId", "SmsSender", "MmsSender", "InternationalSmsSender"]


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
    # A session header's undecodable bytes arrive as lone surrogates, which only this encodes.
    salt = f"{seed}:{session}:ringcentral-identity".encode("utf-8", "surrogatepass")
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


def phone_numbers(call: Call) -> Rendered:
    """GET .../extension/{id}/phone-number: the session's one SMS-capable direct number."""
    body = paginate(call, [_phone_number(call)], call.snapshot.path, ENUMERATED_MAX_PAGE)
    return answer(call, body)


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
