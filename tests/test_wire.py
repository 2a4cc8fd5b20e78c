"""WireResponse sends the bytes aiohttp's own Response sends, and falls back where it must."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from mockserver.answers.rendered import Rendered
from mockserver.answers.reuse import ErrorAnswers, to_response, wire_headers
from mockserver.answers.wire import WireResponse, head_of

RID = "5b2a7c1e-1111-4222-8333-444455556666"


def rc_429(request_id: str) -> Rendered:
    """RingCentral's rate-limit answer, its request id second of three headers."""
    return Rendered(
        429,
        b'{"errorCode":"CMN-301","message":"Request rate exceeded"}',
        "application/json; charset=UTF-8",
        (("Retry-After", "60"), ("RCRequestId", request_id), ("Content-Language", "en-US")),
        "CMN-301",
    )


RC_429 = rc_429(RID)
SW_201 = Rendered(201, b'{"sid":"SM1","status":"queued"}', "application/json")
Answer = Callable[[], web.StreamResponse]
Serve = Callable[[Answer], Awaitable[int]]


def plain(rendered: Rendered) -> web.Response:
    """What the mock sent before WireResponse: aiohttp's Response of the same parts."""
    return web.Response(status=rendered.status, body=rendered.body, headers=wire_headers(rendered))


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start low-level aiohttp servers on 127.0.0.1:0 answering with `answer()`."""
    runners: list[web.ServerRunner] = []

    async def start(answer: Answer) -> int:
        async def handler(request: web.BaseRequest) -> web.StreamResponse:
            return answer()

        runner = web.ServerRunner(web.Server(handler, access_log=None), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return int(runner.addresses[0][1])

    yield start
    for runner in runners:
        await runner.cleanup()


async def exchange(port: int, request: bytes) -> bytes:
    """Send raw request bytes; everything the server writes until it closes (or 1 s idle)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    chunks = []
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), 1.0):
            chunks.append(chunk)
    except TimeoutError:
        pass  # a kept-alive connection: the answer is complete
    writer.close()
    return re.sub(rb"Date: [^\r]*", b"Date: <now>", b"".join(chunks))


async def both(serve: Serve, make_wire: Answer, make_plain: Answer, request: bytes) -> bytes:
    wire = await exchange(await serve(make_wire), request)
    expected = await exchange(await serve(make_plain), request)
    assert wire == expected
    return wire


GET = b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"


async def test_a_templated_error_is_byte_identical_with_its_request_id(serve: Serve) -> None:
    answers = ErrorAnswers()
    sent = await both(
        serve,
        lambda: answers.response("k", rc_429, "RCRequestId", RID),
        lambda: plain(RC_429),
        GET,
    )
    assert isinstance(answers.response("k", rc_429, "RCRequestId", RID), WireResponse)
    assert sent.startswith(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 60\r\nRCRequestId: ")
    assert b"Content-Length: 57\r\nDate: <now>\r\nServer: " in sent


@pytest.mark.parametrize(
    "request_bytes",
    [
        GET,
        b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",  # aiohttp adds close
        b"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n",  # no body: aiohttp's own path
        b"GET /x HTTP/1.0\r\n\r\n",  # HTTP/1.0: aiohttp's own path
        b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
    ],
)
async def test_any_request_gets_the_bytes_aiohttp_would_send(
    serve: Serve, request_bytes: bytes
) -> None:
    await both(serve, lambda: to_response(SW_201), lambda: plain(SW_201), request_bytes)


async def test_keep_alive_serves_several_requests_on_one_connection(serve: Serve) -> None:
    sent = await both(serve, lambda: to_response(SW_201), lambda: plain(SW_201), GET * 3)
    assert sent.count(b"HTTP/1.1 201 Created") == 3


async def test_a_response_used_as_an_aiohttp_object_first_sends_what_was_changed(
    serve: Serve,
) -> None:
    def changed() -> web.StreamResponse:
        response = to_response(SW_201)
        assert response.headers["Content-Type"] == "application/json"
        response.headers["X-Extra"] = "1"
        response.force_close()
        return response

    sent = await exchange(await serve(changed), GET)
    assert b"\r\nX-Extra: 1\r\n" in sent
    assert b"\r\nConnection: close\r\n" in sent
    assert sent.endswith(SW_201.body)


async def test_force_close_before_sending_closes_the_connection(serve: Serve) -> None:
    def closing() -> web.StreamResponse:
        response = to_response(SW_201)
        response.force_close()
        return response

    sent = await exchange(await serve(closing), GET * 2)
    assert sent.count(b"HTTP/1.1 201") == 1
    assert b"\r\nConnection: close\r\n" in sent


def test_reads_that_need_no_aiohttp_state_do_not_build_it() -> None:
    response = ErrorAnswers().response("k", rc_429, "RCRequestId", RID)
    assert isinstance(response, WireResponse)
    assert (response.status, response.retry_after) == (429, "60")
    assert "_headers" not in vars(response)
    assert response.headers["RCRequestId"] == RID  # a real read builds it
    assert response.text == RC_429.body.decode()


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (204, ()),  # no body: aiohttp strips what it must
        (101, ()),
        (200, (("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),)),  # a header aiohttp writes itself
        (200, (("X-Injected", "a\r\nSet-Cookie: x=1"),)),  # aiohttp refuses these
        (200, (("Connection", "close"),)),
    ],
)
def test_answers_only_aiohttp_may_write_have_no_head(
    status: int, headers: tuple[tuple[str, str], ...]
) -> None:
    assert head_of(status, b"", headers) is None
    rendered = Rendered(status, b"", "text/plain", headers)
    assert not isinstance(to_response(rendered), WireResponse)


def test_a_large_body_is_left_to_aiohttp_flow_control() -> None:
    big = Rendered(200, b"x" * 20_000, "text/plain")
    assert not isinstance(to_response(big), WireResponse)
