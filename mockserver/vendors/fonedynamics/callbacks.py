"""Fone Dynamics callbacks: the delivery receipt, the final message by POST or GET (inferred)."""

from __future__ import annotations

import math
from typing import Any

from yarl import URL

from mockserver.answers.rendered import compact_json
from mockserver.callbacks.sender import Callback
from mockserver.vendors.fonedynamics.envelope import CONTENT_TYPE
from mockserver.vendors.fonedynamics.records import view
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record


def schedule_receipt(call: Call, record: Record) -> None:
    """One receipt when the message reaches Delivered or Failed; no retries (none documented)."""
    if record["receipt"] is None:
        return
    uri, method = record["receipt"]
    final_at = record["start"] + record["length"]
    final = view(record, math.inf)  # exact: start + length - start may round below length
    url, body = request_parts(uri, method, final)
    call.schedule(
        Callback(
            vendor=call.vendor.name,
            session=call.session,
            url=url,
            body=body,
            content_type=CONTENT_TYPE,
            event=" ".join(filter(None, (final["Status"].lower(), final.get("ErrorCode")))),
            resource=final["MessageSid"],
            delay=max(final_at - call.now, 0.0),
            method=method,
        )
    )


def request_parts(uri: str, method: str, message: dict[str, Any]) -> tuple[str, bytes]:
    """POST: `{"Message": {...}}` as JSON (the GET resource's shape); GET: the fields as a query."""
    if method == "POST":
        return uri, compact_json({"Message": message})
    query = {name: _query_value(value) for name, value in message.items()}
    return str(URL(uri).update_query(query)), b""


def _query_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
