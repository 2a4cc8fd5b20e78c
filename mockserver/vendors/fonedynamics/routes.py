"""Fone Dynamics happy paths: send, get, list and batch messages under `/v2`."""

from __future__ import annotations

from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.fonedynamics.envelope import error_message
from mockserver.vendors.fonedynamics.messages import KIND, create, view
from mockserver.vendors.fonedynamics.receipts import schedule_receipt
from mockserver.vendors.fonedynamics.validation import problem
from mockserver.vendors.fonedynamics.wire import INVALID, VENDOR, answer, field_error, json_body
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.routing import Router, route

DEFAULT_RESULTS = 100  # list page size when Results_Count is absent (undocumented)
MAX_RESULTS = 1000
# The malformed-body code: ServiceStack's own SerializationException is not catalogued.
MALFORMED_KEY = "INVALID_MODEL_STATE"


def send(call: Call) -> Rendered:
    """POST /v2/Properties/{PropertySid}/Messages → 200 `{"Message": {...}}`, Processing."""
    data = json_body(call)
    if data is INVALID or not isinstance(data, dict):
        return call.error(MALFORMED_KEY)
    found = problem(data, call.now)
    if found is not None:
        return field_error(call, found.key, found.field)
    record = create(call, call.args["property"], data)
    schedule_receipt(call, record)
    return answer({"Message": view(record, record["start"] - 1)})


def get(call: Call) -> Rendered:
    """GET /v2/Messages/{MessageSid}: this account's message, status as of now."""
    record = call.env.resources.get(VENDOR, call.session, KIND, call.args["sid"])
    if record is None:
        return call.error("MESSAGE_NOT_FOUND")
    return answer({"Message": view(record, call.now)})


def list_messages(call: Call) -> Rendered:
    """GET .../Messages?Date_From=&Date_To=&Results_Count=: newest first, Created in range."""
    bounds = [_number(call, name) for name in ("Date_From", "Date_To", "Results_Count")]
    bad = next((b for b in bounds if isinstance(b, Rendered)), None)
    if bad is not None:
        return bad
    start, end, count = (b if isinstance(b, int) else None for b in bounds)
    if start is not None and end is not None and start > end:
        return call.error("INVALID_DATE_RANGE")
    if count is not None and not 1 <= count <= MAX_RESULTS:
        return field_error(call, "PARAMETER_INVALID", "Results_Count")
    matched = [
        view(record, call.now)
        for record in reversed(call.env.resources.list(VENDOR, call.session, KIND))
        if _listed(record["message"], call.args["property"], start, end)
    ]
    shown = matched[: count or DEFAULT_RESULTS]
    return answer({"Messages": shown, "TotalCount": len(matched)})


def batch(call: Call) -> Rendered:
    """POST .../BatchMessages `{"Messages":[...]}` → an array: a message, or a failed item."""
    data = json_body(call)
    if data is INVALID or not isinstance(data, dict):
        return call.error(MALFORMED_KEY)
    items = data.get("Messages")
    if items in (None, []):
        return field_error(call, "PARAMETER_REQUIRED", "Messages")
    if not isinstance(items, list):
        return field_error(call, "PARAMETER_INVALID", "Messages")
    return answer([_batch_item(call, item) for item in items])


def _batch_item(call: Call, item: Any) -> dict[str, Any]:
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


def _number(call: Call, name: str) -> int | Rendered | None:
    raw = call.snapshot.query.get(name)
    if raw is None or raw == "":
        return None
    digits = raw.strip()
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > 12:
        return field_error(call, "PARAMETER_INVALID", name)
    return int(digits)


def _listed(message: dict[str, Any], prop: str, start: int | None, end: int | None) -> bool:
    created = message["Created"]
    in_range = (start is None or created >= start) and (end is None or created <= end)
    return message["PropertySid"] == prop and in_range


_SID = r"(?P<property>[^/]+)"
ROUTER = Router(
    [
        route("POST", rf"(?i)/v2/Properties/{_SID}/Messages", send),
        route("GET", rf"(?i)/v2/Properties/{_SID}/Messages", list_messages),
        route("POST", rf"(?i)/v2/Properties/{_SID}/BatchMessages", batch),
        route("GET", r"(?i)/v2/Messages/(?P<sid>[^/]+)", get),
    ]
)
