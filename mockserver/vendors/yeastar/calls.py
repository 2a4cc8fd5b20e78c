"""Yeastar calls: call/dial, call/query and the call's state, computed from its age."""

from __future__ import annotations

import random
from typing import Any

from mockserver.answers.rendered import Rendered
from mockserver.vendors.kit.call import Call
from mockserver.vendors.yeastar import callbacks
from mockserver.vendors.yeastar.envelope import as_errcode
from mockserver.vendors.yeastar.wire import body, required, success, text

KIND = "call"
# Mock-only magic callee: the call rings and ends unanswered (see docs/vendors/yeastar.md).
UNANSWERED_CALLEE = "0745000486"
# (phase, offset as a fraction of the call's length); a failed call never reaches ANSWERED.
PHASES = (("ALERT", 0.0), ("RING", 0.25), ("ANSWERED", 0.5), ("BYE", 1.0))
_CALLER_STATUS = {"ALERT": "ALERT", "RING": "ANSWERED", "ANSWERED": "ANSWERED", "BYE": "BYE"}
_TRUNKS = ("SIP-Trunk-1", "my-trunk", "carrier-trunk")


def dial(call: Call) -> Rendered:
    """Start a call: `caller` and `callee` are required; answers the new `call_id`."""
    data = body(call)
    caller, callee = text(data.get("caller")), text(data.get("callee"))
    if caller is None:
        required(call, "caller")
    if callee is None:
        required(call, "callee")
    record = new_call(call, caller, callee)
    call.resources.put(KIND, record["call_id"], record)
    callbacks.schedule(call, record["call_id"], timeline(record))
    return success(call_id=record["call_id"])


def query(call: Call) -> Rendered:
    """One call by `call_id` (60001 when unknown), or every call of the session without it."""
    wanted = call.snapshot.query.get("call_id")
    if wanted is None:
        records = call.resources.list(KIND)
    else:
        found = call.resources.get(KIND, wanted.strip())
        if found is None:
            call.reject("60001")
        records = [found]
    return success(data=[snapshot(r, call.now) for r in records])


def new_call(call: Call, caller: str, callee: str) -> dict[str, Any]:
    """The stored call: ids, channels and when (and how) it ends."""
    draw = call.rng
    failure = call.failure
    entry = call.catalog.get(failure.key) if failure else None
    length = failure.delay if failure and failure.delay is not None else None
    unanswered = failure is not None or callee == UNANSWERED_CALLEE
    trunk = draw.choice(_TRUNKS)
    return {
        "call_id": new_call_id(call, draw),
        "caller": caller,
        "callee": callee,
        "outbound": not is_extension(callee),
        "trunk_name": trunk,
        "caller_channel": channel(caller, draw.randint(1, 0xFFF)),
        "callee_channel": channel(
            callee if is_extension(callee) else trunk, draw.randint(1, 0xFFF)
        ),
        "created": call.now,
        "length": call.env.settings.delivery_delay if length is None else length,
        "answered": not unanswered,
        "errcode": as_errcode(entry.code) if entry else None,
        "errmsg": entry.format_message({}) if entry else None,
    }


def new_call_id(call: Call, draw: random.Random) -> str:
    """`<unix time>.<n>` like `1650012665.266`, unique within the session."""
    taken = {c["call_id"] for c in call.resources.list(KIND)}
    suffix = draw.randint(100, 999)
    while f"{int(call.now)}.{suffix}" in taken:
        suffix += 1  # a busy second: the PBX's own counter also just counts up
    return f"{int(call.now)}.{suffix}"


def channel(endpoint: str, number: int) -> str:
    """An Asterisk-style channel id, e.g. `PJSIP/1005-0000008a` (documented example)."""
    return f"PJSIP/{endpoint}-{number:08x}"


def is_extension(number: str) -> bool:
    """Short all-digit numbers are PBX extensions; anything else leaves through a trunk."""
    return number.isdigit() and len(number) <= 6


def phases(record: dict[str, Any]) -> list[tuple[str, float]]:
    """The call's phases with their offsets in seconds from the dial."""
    skip = set() if record["answered"] else {"ANSWERED"}
    return [(name, record["length"] * part) for name, part in PHASES if name not in skip]


def phase_at(record: dict[str, Any], now: float) -> str:
    """The phase the call is in at `now` (lazily: no task tracks stored calls)."""
    elapsed = now - record["created"]
    current = "ALERT"
    for name, offset in phases(record):
        if elapsed >= offset:
            current = name
    return current


def members(record: dict[str, Any], phase: str) -> list[dict[str, Any]]:
    """The members in a phase: the caller's extension, then the callee once it is dialled."""
    caller = {
        "number": record["caller"],
        "channel_id": record["caller_channel"],
        "member_status": _CALLER_STATUS[phase],
        "call_path": "",
    }
    out: list[dict[str, Any]] = [{"extension": caller}]
    if phase != "ALERT":
        out.append(callee_member(record, phase))
    return out


def callee_member(record: dict[str, Any], phase: str) -> dict[str, Any]:
    """An `outbound` member for external numbers, an `extension` member for internal ones."""
    if not record["outbound"]:
        leg = {"number": record["callee"], "channel_id": record["callee_channel"]}
        return {"extension": {**leg, "member_status": phase, "call_path": ""}}
    outbound = {
        "from": record["caller"],
        "to": record["callee"],
        "trunk_name": record["trunk_name"],
        "channel_id": record["callee_channel"],
        "member_status": phase,
        "call_path": "",
    }
    return {"outbound": outbound}


def timeline(record: dict[str, Any]) -> list[tuple[float, str, dict[str, Any]]]:
    """One 30011 event per phase; a failed call's last one names the catalogued code.

    `errcode`/`errmsg` inside `msg` are the mock's addition (real events carry call states
    only), the same as the catalog preview of an asynchronous Yeastar failure.
    """
    out = []
    for name, offset in phases(record):
        msg = {"call_id": record["call_id"], "members": members(record, name)}
        if name == "BYE" and record["errcode"] is not None:
            msg.update(errcode=record["errcode"], errmsg=record["errmsg"])
        out.append((offset, name, msg))
    return out


def snapshot(record: dict[str, Any], now: float) -> dict[str, Any]:
    """The call as call/query shows it at `now`."""
    return {"call_id": record["call_id"], "members": members(record, phase_at(record, now))}
