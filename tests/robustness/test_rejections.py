"""Malformed requests: one short, rate-limited WARNING each; no traceback, no raw header line."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable, Iterator

import pytest
from aiohttp.http_exceptions import BadHttpMessage, InvalidHeader, LineTooLong
from aiohttp.test_utils import TestClient

from mockserver.request.rejections import ParserRejections, reason_of
from mockserver.server.app import create_app
from mockserver.server.loop import run_loop
from mockserver.server.services import Services
from mockserver.telemetry import logs

ClientFactory = Callable[..., Awaitable[TestClient]]
SECRET = "Sup3rSecretValue"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    logs.configure("text", stream=out)
    yield out
    logs.unconfigure()


async def send_raw(client: TestClient, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(data)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


BAD_HEADER = f"GET /ringcentral/x HTTP/1.1\r\nAuthorization: Bearer {SECRET}\x01\r\n\r\n".encode()


async def test_a_rejected_request_is_one_warning_naming_peer_and_reason(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], stream: io.StringIO
) -> None:
    services = make_services(defaults=False)
    client = await aiohttp_client(create_app(services.settings, services))
    answer = await send_raw(client, BAD_HEADER)
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    (line,) = stream.getvalue().splitlines()
    assert " WARNING aiohttp.server: rejected a malformed request from 127.0.0.1: " in line
    assert line.endswith("(HTTP 400)")
    assert SECRET not in line
    assert "Bearer" not in line
    # the server keeps answering
    assert (await client.get("/__admin/health")).status == 200


async def test_a_flood_of_rejections_is_rate_limited(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], stream: io.StringIO
) -> None:
    services = make_services(defaults=False)
    client = await aiohttp_client(create_app(services.settings, services))
    for _ in range(25):
        await send_raw(client, BAD_HEADER)
    assert len(stream.getvalue().splitlines()) == 10


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rejection(exc: Exception) -> logging.LogRecord:
    return logging.makeLogRecord(
        {
            "name": "aiohttp.server",
            "levelno": logging.ERROR,
            "levelname": "ERROR",
            "msg": "Error handling request from %s",
            "args": ("10.0.0.7",),
            "exc_info": (type(exc), exc, None),
        }
    )


def test_after_the_window_one_line_counts_what_was_suppressed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    flt = ParserRejections(limit=2, window=10.0, clock=clock)
    passed = [flt.filter(rejection(BadHttpMessage("Invalid header"))) for _ in range(5)]
    assert passed == [True, True, False, False, False]
    clock.now += 10
    record = rejection(BadHttpMessage("Invalid header"))
    with caplog.at_level(logging.WARNING, logger="aiohttp.server"):
        assert flt.filter(record)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "suppressed 3 more malformed-request warnings in the last 10 s")
    ]
    assert record.getMessage() == (
        "rejected a malformed request from 10.0.0.7: Invalid header (HTTP 400)"
    )
    assert record.levelname == "WARNING"
    assert record.exc_info is None


def test_other_aiohttp_errors_pass_untouched() -> None:
    record = rejection(RuntimeError("handler crashed"))
    assert ParserRejections().filter(record)
    assert record.levelname == "ERROR"
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (InvalidHeader(f"Authorization: Bearer {SECRET}".encode()), "Invalid HTTP header"),
        (
            LineTooLong(f"Authorization: Bearer {SECRET}", 8190),
            "Got more than 8190 bytes when reading",
        ),
        (
            BadHttpMessage(f"Invalid header value char:\n\n  b'Authorization: {SECRET}'\n  ^"),
            "Invalid header value char",
        ),
    ],
)
def test_the_reason_never_quotes_the_request(exc: BadHttpMessage, reason: str) -> None:
    assert reason_of(exc) == reason


def test_an_error_while_serving_is_not_chained_to_the_uvloop_import_check() -> None:
    async def crash() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError) as info:
        run_loop(crash())
    assert info.value.__context__ is None
