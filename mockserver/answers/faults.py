"""Transport-level faults (reset, empty reply, hang, drip, truncation, bad bodies) on aiohttp."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from dataclasses import dataclass

from aiohttp import web

from mockserver.answers.rendered import Rendered

# the fault names are declared once, by the scenario file format (`FaultType`)
from mockserver.scenarios.model import FAULT_TYPES as FAULT_TYPES

# the status journalled and counted for a connection the fault cut (nginx's "client closed")
CUT = 499
_GATEWAY_TITLES = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable"}


@dataclass(frozen=True, slots=True)
class Fault:
    """A transport fault and its knobs.

    Attributes:
        type: one of FAULT_TYPES.
        chunk: bytes per write for "drip".
        interval: seconds between drip writes.
        max_hang: upper bound for "hang", so no task outlives a forgotten client.
    """

    type: str
    chunk: int = 16
    interval: float = 0.2
    max_hang: float = 300.0


def gateway_page(status: int) -> Rendered:
    """An HTML error page as a load balancer in front of the vendor would send it."""
    title = _GATEWAY_TITLES[status]
    html = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return Rendered(status, html.encode(), "text/html", (("Server", "nginx"),))


def malformed(base: Rendered) -> Rendered:
    """The normal answer's status and headers with a body that is not valid JSON."""
    cut = max(1, len(base.body) // 2)
    body = base.body[:cut] if base.body.startswith((b"{", b"[")) else b'{"error": '
    return Rendered(base.status, body, base.content_type, base.headers)


def _kill_socket(request: web.BaseRequest, hard: bool) -> None:
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if hard and sock is not None:
        # SO_LINGER 0 turns close() into an RST: the client sees "connection reset by peer"
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort() if hard else transport.close()


async def _hang(request: web.BaseRequest, fault: Fault, stopping: asyncio.Event | None) -> None:
    # waits on events, never polls: the server cancels a handler whose client left
    # (handler_cancellation, see server.py), a shutdown sets `stopping`, max_hang bounds the rest
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(fault.max_hang):
            await (stopping or asyncio.Event()).wait()
    _kill_socket(request, hard=False)


async def _stream(
    request: web.BaseRequest, base: Rendered, fault: Fault, truncate: bool
) -> web.StreamResponse:
    response = web.StreamResponse(status=base.status, headers=dict(base.headers))
    response.content_type = base.content_type.split(";")[0]
    response.content_length = len(base.body)
    await response.prepare(request)
    if truncate:
        await response.write(base.body[: max(1, len(base.body) // 2)])
        _kill_socket(request, hard=False)
        return response
    try:
        for start in range(0, len(base.body), fault.chunk):
            await response.write(base.body[start : start + fault.chunk])
            await asyncio.sleep(fault.interval)
        await response.write_eof()
    except ConnectionError:
        pass  # the client gave up mid-drip: what the fault is for, not a server error
    return response


async def apply_fault(
    request: web.BaseRequest, fault: Fault, base: Rendered, stopping: asyncio.Event | None = None
) -> web.StreamResponse:
    """Carry out `fault` on the connection of `request`; `base` is the answer it corrupts."""
    if fault.type in ("reset", "empty"):
        _kill_socket(request, hard=fault.type == "reset")
        return web.Response(status=CUT)
    if fault.type == "hang":
        await _hang(request, fault, stopping)
        return web.Response(status=CUT)
    if fault.type in ("drip", "truncate"):
        return await _stream(request, base, fault, truncate=fault.type == "truncate")
    raise ValueError(f"fault {fault.type!r} has no transport behaviour")
