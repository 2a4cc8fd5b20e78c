"""Yeastar extension/list: a seeded, per-session set of realistic extensions, paged."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar.wire import positive, success

KIND = "extension"
COUNT = 12
FIRST_NUMBER = 1000
DEFAULT_PAGE_SIZE = 20  # undocumented default; the mock's choice
_PRESENCE = ("available", "available", "away", "do_not_disturb", "business_trip")
_ROLES = ("Employee", "Employee", "Supervisor", "Administrator")


def list_extensions(call: Call) -> Rendered:
    """`page`/`page_size` (positive integers) over the session's extensions."""
    page = positive(call, "page", 1)
    size = positive(call, "page_size", DEFAULT_PAGE_SIZE)
    everything = extensions(call)
    start = (page - 1) * size
    return success(total_number=len(everything), data=everything[start : start + size])


def extensions(call: Call) -> list[dict[str, Any]]:
    """The session's extensions, generated once and then read back from the store."""
    stored = call.resources.list(KIND)
    if stored:
        return stored
    fake = call.faker
    for index in range(COUNT):
        item = extension(index, fake.name(), fake.msisdn(), fake.random_element(_PRESENCE))
        item["role_name"] = fake.random_element(_ROLES)
        item["email_addr"] = f"{item['number']}@{fake.free_email_domain()}"
        call.resources.put(KIND, str(item["id"]), item)
    return call.resources.list(KIND)


def extension(index: int, name: str, mobile: str, presence: str) -> dict[str, Any]:
    """One extension in the P-Series list shape (field names inferred from the docs' summary)."""
    registered = presence != "business_trip"
    return {
        "id": index + 1,
        "online_status": {
            "sip_phone": {"status": int(registered)},
            "linkus_desktop": {"status": 0},
            "linkus_mobile": {"status": 0},
            "linkus_web": {"status": 0},
        },
        "presence_status": presence,
        "number": str(FIRST_NUMBER + index),
        "caller_id_name": name,
        "mobile_number": mobile,
    }
