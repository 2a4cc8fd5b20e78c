"""`--proxy VENDOR=URL`: what no rule, header or magic value answers goes to the real vendor.

Injected errors, faults and rate limits are decided first and never reach the upstream; a
request that would get the mock's happy path is forwarded instead (method, path below the
vendor prefix, query, headers without hop-by-hop and mock-only ones, body), and the
upstream's answer is streamed back as it comes: status, headers and bytes, compressed or
not. An upstream that cannot be reached or is too slow gets a mock-level 502 marked
`X-Mock-Server-Error: true`, never anything a client could take for the vendor's own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import hdrs, web
from multidict import CIMultiDict

from mockserver.request.capture import Capture, Recorder
from mockserver.request.snapshot import RequestSnapshot

_log = logging.getLogger(__name__)

# RFC 9110 7.6.1 hop-by-hop fields, and what aiohttp computes for the new message itself
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
MOCK_PREFIX = "x-mock-"  # the mock's own controls (session, injection) stay here
CHUNK = 65_536


class UpstreamFailed(Exception):
    """The upstream could not be reached, or did not answer in time."""


@dataclass(frozen=True, slots=True)
class Forwarded:
    """What the upstream answered, as the journal tells it."""

    url: str
    status: int
    latency_ms: float


class Upstreams:
    """The real vendor APIs requests are forwarded to, and the one client session for them."""

    def __init__(
        self, targets: Mapping[str, str], timeout: float, record: Path | None = None
    ) -> None:
        self.targets = dict(targets)
        self.timeout = aiohttp.ClientTimeout(total=timeout or None)
        self.recorder = Recorder(record) if record is not None else None
        self._session: aiohttp.ClientSession | None = None

    def serves(self, vendor: str) -> bool:
        """Whether `vendor`'s happy path goes to an upstream."""
        return vendor in self.targets

    async def close(self) -> None:
        """Close the client session (at shutdown)."""
        if self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # bytes pass through as the vendor sent them: no decompression, no cookie jar
            self._session = aiohttp.ClientSession(
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=self.timeout,
            )
        return self._session

    async def forward(
        self, request: web.BaseRequest, snapshot: RequestSnapshot, vendor: str
    ) -> tuple[web.StreamResponse, Forwarded]:
        """Send the request upstream and stream its answer back; UpstreamFailed before any byte."""
        url = self.targets[vendor] + _below_prefix(request, vendor, snapshot.path)
        headers = _forwardable(request.headers)
        started = time.perf_counter()
        try:
            upstream = await self._client().request(
                request.method, url, headers=headers, data=snapshot.body, allow_redirects=False
            )
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise UpstreamFailed(f"{vendor} upstream {url}: {_reason(err)}") from None
        latency = (time.perf_counter() - started) * 1000
        forwarded = Forwarded(url, upstream.status, latency)
        try:
            response = await self._relay(request, upstream, snapshot, vendor, forwarded)
        finally:
            upstream.release()
        return response, forwarded

    async def _relay(
        self,
        request: web.BaseRequest,
        upstream: aiohttp.ClientResponse,
        snapshot: RequestSnapshot,
        vendor: str,
        forwarded: Forwarded,
    ) -> web.StreamResponse:
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
        for name, value in upstream.headers.items():
            if name.lower() not in HOP_BY_HOP:
                response.headers.add(name, value)
        if upstream.content_length is not None:
            response.content_length = upstream.content_length
        capture = Capture(vendor, snapshot, request.headers, forwarded.url, upstream)
        await response.prepare(request)
        try:
            async for chunk in upstream.content.iter_chunked(CHUNK):
                capture.keep(chunk)
                await response.write(chunk)
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            # the status line is out: all that is left is to end the answer short
            _log.warning("%s: upstream answer cut short: %s", forwarded.url, _reason(err))
            if request.transport is not None:
                request.transport.close()
            return response
        await response.write_eof()
        if self.recorder is not None:
            self.recorder.save(capture)
        return response


def _below_prefix(request: web.BaseRequest, vendor: str, path: str) -> str:
    """The raw path and query below the vendor's prefix (none on a `--vendor-port`)."""
    raw = request.raw_path
    if request.path == path:
        return raw
    return raw[len(vendor) + 1 :]


def _forwardable(headers: Mapping[str, str]) -> CIMultiDict[str]:
    named = {v.strip().lower() for v in headers.get(hdrs.CONNECTION, "").split(",")}
    out: CIMultiDict[str] = CIMultiDict()
    for name, value in headers.items():
        low = name.lower()
        if low in HOP_BY_HOP or low in named or low.startswith(MOCK_PREFIX):
            continue
        out.add(name, value)
    return out


def _reason(err: BaseException) -> str:
    if isinstance(err, asyncio.TimeoutError):
        return "no answer in time (--proxy-timeout)"
    return str(err) or type(err).__name__
