"""RingCentral's shape of generic answers: `paging`/`navigation` lists, CMN-101/102, `~` ids."""

from __future__ import annotations

from typing import Any, NoReturn

from mockserver.answers.rendered import Rendered
from mockserver.operations.dialect import Dialect, Record
from mockserver.operations.synth import Shape
from mockserver.operations.table import Operation
from mockserver.operations.validate import Problem
from mockserver.vendors.kit.call import Call
from mockserver.vendors.ringcentral.account import identity
from mockserver.vendors.ringcentral.paging import paginate
from mockserver.vendors.ringcentral.wire import answer, base_url, empty, iso, reject_invalid

# path parameters whose `~` means "the caller's own" (RingCentral API reference)
_OWN = {"accountId": "account_id", "extensionId": "extension_id"}


class RingCentral(Dialect):
    """The platform API (rc-public-openapi.yml)."""

    not_found_key = "CMN-102"
    invalid_key = "CMN-101"
    malformed_key = "CMN-103"
    shape = Shape(timestamp=iso, numeric_ids=True)  # 2026-01-01T00:00:00.000Z, Java longs
    # an account's users, numbers and devices exist before a client adds any
    world = frozenset({"extension", "phone-number", "device", "call-queues", "sites"})

    def answer(self, call: Call, status: int, body: Any) -> Rendered:
        """Pretty-printed JSON with RingCentral's headers; no body on a 204."""
        return empty(call, status) if status == 204 or body is None else answer(call, body, status)

    def canonical(self, call: Call, name: str, value: str) -> str:
        """`~` is the session's own account or extension."""
        if value == "~" and name in _OWN:
            return str(getattr(identity(call), _OWN[name]))
        return value

    def link(self, call: Call, path: str) -> str | None:
        """Absolute, back to the mock, as RingCentral's own `uri` fields are."""
        return base_url(call) + path

    def seed(self, call: Call, op: Operation, collection: str, records: list[Record]) -> None:
        """The caller's account, extension and number head their lists (a consistent world)."""
        if not records:
            return
        me, first = identity(call), records[0]
        tail = collection.rsplit("/", 1)[-1]
        if tail == "account" and "id" in first:
            first["id"] = _like(first["id"], me.account_id)
        elif tail == "extension" and "id" in first:
            first["id"] = _like(first["id"], me.extension_id)
        if "phoneNumber" in first and tail == "phone-number":
            first["phoneNumber"] = me.phone

    def page(self, call: Call, op: Operation, records: list[Record], key: str) -> Any:
        """`uri`, the records, `paging` and `navigation` from page/perPage."""
        body = paginate(call, records, call.snapshot.path)
        if key != "records":
            body[key] = body.pop("records")
        return body

    def not_found(self, call: Call, op: Operation, name: str, value: str) -> NoReturn:
        """CMN-102 "Resource for parameter [name] is not found" (404)."""
        call.reject("CMN-102", 404, parameterName=name)

    def invalid(self, call: Call, op: Operation, problem: Problem) -> NoReturn:
        """CMN-101 "Parameter [name] value is invalid." for every kind of bad value.

        RingCentral's published table has no CMN-100; captures show CMN-101 for a missing
        required parameter too (docs/vendors/ringcentral.md).
        """
        reject_invalid(call, problem.name.split(".")[-1])


def _like(current: Any, value: str) -> Any:
    """`value` in the type the schema gave the field (integer ids stay integers)."""
    return int(value) if isinstance(current, int) else value


DIALECTS = {"ringcentral": RingCentral()}
