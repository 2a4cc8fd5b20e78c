"""Everything SignalWire sends out: signed compat status callbacks and /api/messaging webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import urlencode

from mockserver.answers.rendered import JSON, compact_json
from mockserver.callbacks.sender import Callback
from mockserver.vendors.kit.call import Call
from mockserver.vendors.kit.records import Record
from mockserver.vendors.signalwire.auth import credentials_of
from mockserver.vendors.signalwire.envelope import API_VERSION, FORM
from mockserver.vendors.signalwire.lifecycle import MESSAGE_FAILED
from mockserver.vendors.signalwire.wire import iso8601, rfc2822

Fields = list[tuple[str, str]]
# Message status callbacks are not retried (documented for Twilio, which SignalWire mirrors;
# inferred for SignalWire): one attempt, the outcome is in the callback log.
RETRIES: tuple[float, ...] = ()
# Which StatusCallbackEvent reports each call status, and the CallStatus it posts.
EVENT_OF = {"queued": "initiated", "ringing": "ringing", "in-progress": "answered"}
POSTED_STATUS = {"queued": "initiated"}


def form_signature(key: str, url: str, fields: Sequence[tuple[str, str]]) -> str:
    """Twilio-style: base64(HMAC-SHA1(key, url + each name+value sorted by name, value))."""
    payload = url + "".join(name + value for name, value in sorted(set(fields)))
    digest = hmac.new(key.encode(), payload.encode("utf-8", "replace"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def body_signature(key: str, url: str, body: bytes, algorithm: str = "sha1") -> str:
    """SignalWire's JSON scheme: hex(HMAC(key, url + raw body))."""
    payload = url.encode("utf-8", "replace") + body
    return hmac.new(key.encode(), payload, getattr(hashlib, algorithm)).hexdigest()


def signing_key(call: Call) -> str:
    """The API token of the request (the mock's stand-in for the project's Signing Key)."""
    found = credentials_of(call)
    return found[1] if found else ""


def form_callback(call: Call, url: str, fields: Fields, event: str, delay: float) -> Callback:
    """A compat status callback, signed under both header names SignalWire sends."""
    signature = form_signature(signing_key(call), url, fields)
    headers = (("X-SignalWire-Signature", signature), ("X-Twilio-Signature", signature))
    return Callback(
        vendor=call.vendor.name,
        session=call.session,
        url=url,
        body=urlencode(fields).encode(),
        content_type=FORM,
        headers=headers,
        event=event,
        resource=_resource(fields),
        delay=delay,
        retries=RETRIES,
    )


def json_callback(call: Call, url: str, payload: dict[str, object], delay: float) -> Callback:
    """A /api/messaging status webhook: JSON, signed over the raw body (SHA-1 and SHA-256)."""
    body = compact_json(payload)
    key = signing_key(call)
    headers = (
        ("X-SignalWire-Signature", body_signature(key, url, body)),
        ("X-SignalWire-Sha256-Signature", body_signature(key, url, body, "sha256")),
    )
    return Callback(
        vendor=call.vendor.name,
        session=call.session,
        url=url,
        body=body,
        content_type=JSON,
        headers=headers,
        event=_event(str(payload.get("status")), payload.get("error_code")),
        resource=str(payload.get("id", "")),
        delay=delay,
        retries=RETRIES,
    )


def _resource(fields: Fields) -> str:
    found = dict(fields)
    return found.get("MessageSid") or found.get("CallSid") or ""


def _event(status: str, code: object) -> str:
    return f"{status} {code}" if code else status


# --- compat Messages ------------------------------------------------------------------------


def schedule_message(call: Call, record: Record, url: str) -> None:
    """One signed callback per status change after `queued`, at the time it happens."""
    for at, status in record["_timeline"][1:]:
        fields = message_fields(record, str(status))
        event = f"{status} {record['_error'][0]}" if status in MESSAGE_FAILED else str(status)
        call.schedule(form_callback(call, url, fields, event, float(at)))


def message_fields(record: Record, status: str) -> Fields:
    """The StatusCallback form (documented fields; SmsSid/SmsStatus/ApiVersion as Twilio)."""
    fields = [
        ("MessageSid", record["sid"]),
        ("SmsSid", record["sid"]),
        ("AccountSid", record["account_sid"]),
        ("From", record["from"]),
        ("To", record["to"]),
        ("Body", record["body"]),
        ("MessageStatus", status),
        ("SmsStatus", status),
        ("NumMedia", str(record["num_media"])),
        ("NumSegments", str(record["num_segments"])),
        ("ApiVersion", API_VERSION),
    ]
    if status in MESSAGE_FAILED and record["_error"]:
        fields.append(("ErrorCode", record["_error"][0]))
    return fields


# --- compat Calls ---------------------------------------------------------------------------


def schedule_call(call: Call, record: Record, url: str, events: list[str]) -> None:
    """A signed callback for each status whose event was requested, numbered in order."""
    sequence = 0
    for at, status in record["_timeline"]:
        if EVENT_OF.get(str(status), "completed") not in events:
            continue
        fields = call_fields(record, str(status), float(at), sequence)
        event = f"{status} {record['_error']}" if status == "failed" else str(status)
        call.schedule(form_callback(call, url, fields, event, float(at)))
        sequence += 1


def schedule_call_end(call: Call, record: Record, status: str, at: float) -> None:
    """The final status callback of a call ended early, when it asked for `completed`."""
    url, events = record.get("_callback"), record.get("_events", ())
    if not url or "completed" not in events:
        return
    reached = sum(1 for step in record["_timeline"][:-1] if float(step[0]) <= at)
    fields = call_fields(record, status, at, reached)
    call.schedule(form_callback(call, url, fields, status, 0.0))


def call_fields(record: Record, status: str, at: float, sequence: int) -> Fields:
    """The voice status callback form (documented fields, plus ErrorCode on failure)."""
    fields = [
        ("CallSid", record["sid"]),
        ("AccountSid", record["account_sid"]),
        ("From", record["from"]),
        ("To", record["to"]),
        ("CallStatus", POSTED_STATUS.get(status, status)),
        # the webhook spec names REST-launched calls `outbound-api`; the resource says `outbound`
        ("Direction", "outbound-api"),
        ("ApiVersion", API_VERSION),
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(sequence)),
        ("Timestamp", rfc2822(record["_created"] + at)),
    ]
    if status == "completed":
        fields.append(("CallDuration", str(record["_talk"])))
    if status == "failed" and record["_error"]:
        fields.append(("ErrorCode", record["_error"]))
    return fields


# --- /api/messaging -------------------------------------------------------------------------


def schedule_webhooks(call: Call, record: Record, url: str) -> None:
    """The documented JSON status webhook at every status change after `queued`."""
    for at, status in record["_timeline"][1:]:
        payload = webhook(record, str(status), float(at))
        call.schedule(json_callback(call, url, payload, float(at)))


def webhook(record: Record, status: str, at: float) -> dict[str, object]:
    """MessageStatusCallbackPayload (documented fields)."""
    error = record["_error"] if status in MESSAGE_FAILED else None
    payload: dict[str, object] = {
        "id": record["id"],
        "project_id": record["project_id"],
        "status": status,
        "to": record["to"],
        "from": record["from"],
        "body": record["body"],
        "number_of_segments": record["number_of_segments"],
        "timestamp": iso8601(record["_created"] + at),
        "error_code": error[0] if error else None,
        "error_message": error[1] if error else None,
    }
    if record["_custom"] is not None:
        payload["custom_variables"] = record["_custom"]
    return payload
