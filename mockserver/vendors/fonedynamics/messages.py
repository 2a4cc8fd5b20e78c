"""Fone Dynamics message endpoints: send, get, list and batch under `/v2`."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.fonedynamics.callbacks import schedule_receipt
from mockserver.vendors.fonedynamics.envelope import error_message
from mockserver.vendors.fonedynamics.records import KIND, create, view
from mockserver.vendors.fonedynamics.validation import problem
from mockserver.vendors.fonedynamics.wire import answer, query_number, reject_field
from mockserver.vendors.kit.call import Call

DEFAULT_RESULTS = 100  # list page size when Results_Count is absent (undocumented)
MAX_RESULTS = 1000
# The malformed-body code: ServiceStack's own SerializationException is not catalogued.
MALFORMED_KEY = "INVALID_MODEL_STATE"


def send(call: Call) -> Rendered:
    """POST /v2/Properties/{PropertySid}/Messages → 200 `{"Message": {...}}`, Processing."""
    data = call.json(MALFORMED_KEY)
    found = problem(data, call.now)
    if found is not None:
        reject_field(call, found.key, found.field)
    record = create(call, call.args["property"], data)
    schedule_receipt(call, record)
    return answer({"Message": view(record, record["start"] - 1)})


def get(call: Call) -> Rendered:
    """GET /v2/Messages/{MessageSid}: this account's message, status as of now."""
    record = call.resources.get(KIND, call.args["sid"])
    if record is None:
        call.reject("MESSAGE_NOT_FOUND")
    return answer({"Message": view(record, call.now)})


def list_messages(call: Call) -> Rendered:
    """GET .../Messages?Date_From=&Date_To=&Results_Count=: newest first, Created in range."""
    start, end, count = (
        query_number(call, name) for name in ("Date_From", "Date_To", "Results_Count")
    )
    if start is not None and end is not None and start > end:
        call.reject("INVALID_DATE_RANGE")
    if count is not None and not 1 <= count <= MAX_RESULTS:
        reject_field(call, "PARAMETER_INVALID", "Results_Count")
    matched = [
        view(record, call.now)
        for record in reversed(call.resources.list(KIND))
        if _listed(record["message"], call.args["property"], start, end)
    ]
    shown = matched[: count or DEFAULT_RESULTS]
    return answer({"Messages": shown, "TotalCount": len(matched)})


def batch(call: Call) -> Rendered:
    """POST .../BatchMessages `{"Messages":[...]}` → an array: a message, or a failed item."""
    items = call.json(MALFORMED_KEY).get("Messages")
    if items in (None, []):
        reject_field(call, "PARAMETER_REQUIRED", "Messages")
    if not isinstance(items, list):
        reject_field(call, "PARAMETER_INVALID", "Messages")
    return answer([_batch_item(call, item) for item in items])


def _batch_item(call: Call, item: Any) -> dict[str, Any]:
    # A refused item is part of the answer, not the answer: it is built, never raised.
    if not isinstance(item, dict):
        return _failed_item(call, {}, MALFORMED_KEY, None)
    found = problem(item, call.now)
    if found is not None:
        return _failed_item(call, item, found.key, found.field)
    record = create(call, call.args["property"], item)
    schedule_receipt(call, record)
    return view(record, record["start"] - 1)


def _failed_item(call: Call, item: dict[str, Any], key: str, field: str | None) -> dict[str, Any]:
    """No MessageSid; the request's own fields plus `ErrorCode` and `Message` (SDK)."""
    entry = call.entry(key)
    echoed = {k: item[k] for k in ("From", "To", "Text") if isinstance(item.get(k), str)}
    params = {"FieldName": field} if field else {}
    return {**echoed, "ErrorCode": entry.code, "Message": error_message(entry, params)}


def _listed(message: dict[str, Any], prop: str, start: int | None, end: int | None) -> bool:
    created = message["Created"]
    in_range = (start is None or created >= start) and (end is None or created <= end)
    return message["PropertySid"] == prop and in_range
