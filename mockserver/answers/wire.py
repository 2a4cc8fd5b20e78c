"""Vendor answers written to the socket in one piece: aiohttp's bytes, serialized once.

aiohttp's `Response` rebuilds its header map, fills in Content-Length, Date, Server and
Connection, and serializes every header again for each request (about 8 us of a 23 us
request on the bench machine). A mock sends the same few envelopes over and over, so a
`WireResponse` carries its status line and headers already serialized (a `Head`) and, for
an ordinary HTTP/1.1 request, writes the very bytes aiohttp would have written (same
header order, aiohttp's Date and Server, `Connection: close` when the connection closes)
with one transport write. tests/test_wire.py compares the two byte for byte.

Anything out of the ordinary takes aiohttp's own path: HEAD, HTTP/1.0, statuses without a
body, an app with `on_response_prepare` hooks, a large body, and any use of the response
as an aiohttp object before it is sent (reading or changing its headers, say), which turns
it into a plain `web.Response` first. So a WireResponse behaves as a `web.Response` in
every respect but speed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import web
from aiohttp.helpers import rfc822_formatted_time
from aiohttp.http import SERVER_SOFTWARE, HttpVersion11
from aiohttp.web_response import REASON_PHRASES
from multidict import CIMultiDict

# headers aiohttp writes itself: an answer that sets one is left to aiohttp
_OWN: Final = frozenset({"content-length", "date", "server", "connection", "transfer-encoding"})
_SERVER: Final = f"\r\nServer: {SERVER_SOFTWARE}\r\n".encode()
_CLOSE: Final = b"Connection: close\r\n"
# above this a write may need flow control (aiohttp's drain); errors are far smaller
WIRE_MAX_BODY: Final = 16 * 1024
# attributes of the WireResponse itself (never aiohttp's, so never a reason to materialize)
_MINE: Final = frozenset({"_wire", "_wire_id", "_wire_keep", "_wire_sent"})


@dataclass(frozen=True, slots=True)
class Head:
    """A status line and headers serialized as aiohttp would, split around the request id.

    `start` runs up to the request id's value (or holds every header when the answer has
    no id); `rest` follows it, up to and including `Date: ` (written per second).
    """

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    id_header: str | None
    start: bytes
    rest: bytes
    # its Retry-After value, which the journal notes for every answer
    retry_after: str | None = None


def head_of(
    status: int, body: bytes, headers: Iterable[tuple[str, str]], id_header: str | None = None
) -> Head | None:
    """The serialized head of an answer, or None when only aiohttp may write it.

    `headers` are the wire headers in order (Content-Type included); `id_header` names the
    one whose value changes per request. Made per answer for answers that are not reused
    (a created record), so it is written to be cheap: checks over joined text, no loop of
    calls per header.
    """
    pairs = tuple(headers)
    if status < 200 or status in (204, 304) or len(body) > WIRE_MAX_BODY:
        return None
    names = [k.lower() for k, _ in pairs]
    lines = [f"{k}: {v}" for k, v in pairs]
    joined = "\x00".join(lines)
    # headers aiohttp writes itself are left to it; CR/LF is header injection, which it refuses
    if "\r" in joined or "\n" in joined or not _OWN.isdisjoint(names):
        return None
    status_line = f"HTTP/1.1 {status} {REASON_PHRASES.get(status, '')}\r\n"
    tail = f"Content-Length: {len(body)}\r\nDate: "
    if id_header is None:
        start, rest = status_line + _block(lines) + tail, ""
    else:
        at = next((i for i, (k, _) in enumerate(pairs) if k == id_header), None)
        if at is None:
            return None
        start = status_line + _block(lines[:at]) + f"{id_header}: "
        rest = "\r\n" + _block(lines[at + 1 :]) + tail
    retry = pairs[names.index("retry-after")][1] if "retry-after" in names else None
    return Head(status, body, pairs, id_header, start.encode(), rest.encode(), retry)


def _block(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n" if lines else ""


class WireResponse(web.Response):
    """A `web.Response` that writes its prepared `Head` in one go when it may (module doc).

    Until aiohttp's state is first touched the object holds only the head and the request
    id; `__getattr__` builds the ordinary `web.Response` state on that first touch.
    """

    # aiohttp looks for this marker on every response; found here, it needs no __getattr__
    __http_exception__ = False

    def __init__(self, head: Head, request_id: str = "") -> None:
        # aiohttp's __init__ is deferred to `_materialize`: most answers never need it
        self._wire = head
        self._wire_id = request_id
        self._wire_keep: bool | None = None
        self._wire_sent = False

    def __getattr__(self, name: str) -> Any:
        # only reached for attributes not set yet: aiohttp's, on first use (dunders are
        # probes, such as aiohttp's `__http_exception__`, and never aiohttp's state)
        if name in _MINE or name.startswith("__") or "_headers" in self.__dict__:
            raise AttributeError(name)
        self._materialize()
        return getattr(self, name)

    def _materialize(self) -> None:
        head = self._wire
        headers = CIMultiDict(head.headers)
        if head.id_header is not None:
            headers[head.id_header] = self._wire_id
        web.Response.__init__(self, status=head.status, body=head.body, headers=headers)
        if self._wire_keep is False:
            web.Response.force_close(self)

    @property
    def status(self) -> int:
        """The HTTP status (read without building aiohttp's state)."""
        return self._wire.status

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this answer (None: the request decides)."""
        if "_headers" in self.__dict__:
            return web.Response.keep_alive.fget(self)  # type: ignore[attr-defined,no-any-return]
        return self._wire_keep

    def force_close(self) -> None:
        """Close the connection after this answer."""
        self._wire_keep = False
        if "_headers" in self.__dict__:
            web.Response.force_close(self)

    @property
    def retry_after(self) -> str | None:
        """The Retry-After value it carries (read without building aiohttp's state)."""
        return self._wire.retry_after

    async def prepare(self, request: web.BaseRequest) -> Any:
        """Write the whole answer at once, or hand it to aiohttp when it must write it."""
        if self._wire_sent:
            return None
        if "_headers" in self.__dict__ or not _plain(request):
            return await web.Response.prepare(self, request)
        keep = request.keep_alive if self._wire_keep is None else self._wire_keep
        self._wire_keep = keep
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        head = self._wire
        transport.write(
            b"".join(
                (
                    head.start,
                    self._wire_id.encode() if head.id_header is not None else b"",
                    head.rest,
                    rfc822_formatted_time().encode(),
                    _SERVER,
                    b"" if keep else _CLOSE,
                    b"\r\n",
                    head.body,
                )
            )
        )
        self._wire_sent = True
        return None

    async def write_eof(self, data: bytes = b"") -> None:
        """Nothing left to write after a one-piece answer; otherwise aiohttp's."""
        if not self._wire_sent:
            await web.Response.write_eof(self, data)

    def __repr__(self) -> str:
        return f"<WireResponse {self._wire.status}>"


def _plain(request: web.BaseRequest) -> bool:
    """An ordinary HTTP/1.1 request with a body-carrying answer and no prepare hooks."""
    if request.version != HttpVersion11 or request.method == "HEAD":
        return False
    info = getattr(request, "_match_info", None)
    return info is None or not any(app.on_response_prepare for app in info.apps)
