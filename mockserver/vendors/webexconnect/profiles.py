"""Webex Connect Profile API (`/resources/v2/customerprofile`): create and fetch customers."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.webexconnect.wire import item, json_answer, json_object, uuid, v1_answer

KIND = "customer"
MAX_RECORDS = 100  # documented: 7012 Batch size limit(100) exceeded
CUSTOMER_ID_MISSING = "7003/23"
INVALID_ATTRIBUTE = "7011/3"


def create(call: Call) -> Rendered:
    """`{"Records":[{"customerId","Attributes"}]}` (or one top-level record) → 1000 Success.

    Existing customers are not created again: all of them → 7015, some → 1002 Partial success.
    """
    data = json_object(call)
    records = data.get("Records", [data])
    check(call, records)
    fresh = [r for r in _unique(records) if not _exists(call, _customer_id(r))]
    for record in fresh:
        _store(call, record)
    if not fresh:
        call.reject("7015")
    outcome = call.entry("1000" if len(fresh) == len(records) else "1002/2")
    return v1_answer([item(outcome.code, outcome.message, uuid(call), None)])


def fetch(call: Call) -> Rendered:
    """GET .../customerprofile/{customerId}: `Records[].Attributes[]` of Name/Value/ID."""
    found = call.resources.get(KIND, call.args["customer"])
    if found is None:
        call.reject("7014")
    return json_answer({"Records": [found]})


def check(call: Call, records: Any) -> None:
    """Records must be a non-empty list (at most 100) of objects with a customerId."""
    if not isinstance(records, list) or not records:
        call.reject(CUSTOMER_ID_MISSING)
    if len(records) > MAX_RECORDS:
        call.reject("7012")
    for record in records:
        if not isinstance(record, dict) or _customer_id(record) is None:
            call.reject(CUSTOMER_ID_MISSING)
        attributes = _attributes(record)
        if attributes is not None and not isinstance(attributes, dict):
            call.reject(INVALID_ATTRIBUTE)


def _customer_id(record: dict[str, Any]) -> str | None:
    value = record.get("customerId")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _attributes(record: dict[str, Any]) -> Any:
    # The create examples say `Attributes`; its formal schema says `attributes`.
    return record.get("Attributes", record.get("attributes"))


def _unique(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str | None, dict[str, Any]] = {}
    for record in records:
        seen.setdefault(_customer_id(record), record)
    return list(seen.values())


def _exists(call: Call, customer_id: str | None) -> bool:
    return call.resources.get(KIND, str(customer_id)) is not None


def _store(call: Call, record: dict[str, Any]) -> None:
    customer_id = str(_customer_id(record))
    attributes = _attributes(record) or {}
    rows = [
        {"Name": name, "Value": value, "ID": str(index)}
        for index, (name, value) in enumerate(attributes.items(), start=1)
    ]
    call.resources.put(KIND, customer_id, {"customerId": customer_id, "Attributes": rows})
