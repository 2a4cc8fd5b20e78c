"""`mockserver report` against a tiny local server answering a fixed report, and its errors."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mockserver.cli import main
from mockserver.verdicts.formats import render

REPORT: dict[str, Any] = {
    "errors": [
        {
            "vendor": "signalwire",
            "key": "20429",
            "code": "20429",
            "status": 429,
            "tags": ["rate-limit"],
            "served": 1,
            "occurrences": [
                {
                    "session": "s1",
                    "time": 1_764_960_000.0,
                    "operation": "POST /2010-04-01/Accounts/{sid}/Messages.json",
                    "method": "POST",
                    "path": "/2010-04-01/Accounts/PN1/Messages.json",
                    "verdict": "bad",
                    "behaviour": "retried after 0.1 s, vendor asked 2 s",
                }
            ],
        }
    ],
    "coverage": {},
    "summary": {
        "served": 1,
        "ok": 0,
        "bad": 1,
        "unknown": 0,
        "sessions": 1,
        "by_tag": {"rate-limit": {"ok": 0, "bad": 1, "unknown": 0}},
    },
}


@dataclass
class Fake:
    """What the fake server answers, and the requests it saw."""

    url: str = ""
    status: int = 200
    body: bytes = json.dumps(REPORT).encode()
    token: str | None = None
    seen: list[web.Request] = field(default_factory=list)


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    state = Fake()

    async def report(request: web.Request) -> web.Response:
        state.seen.append(request)
        if state.token and request.headers.get("Authorization") != f"Bearer {state.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        return web.Response(status=state.status, body=state.body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/__admin/report", report)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}"
    yield state
    await runner.cleanup()


@pytest.fixture(autouse=True)
def _no_token_or_proxy_from_the_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MOCKSERVER_ADMIN_TOKEN", "NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


async def _run(*argv: str) -> int:
    # urllib blocks: the CLI runs in a thread while this loop serves the fake
    return await asyncio.to_thread(main, ["report", *argv])


def _one_line(err: str) -> str:
    assert err.endswith("\n")
    assert err.count("\n") == 1, err
    return err


async def test_report_renders_text_by_default(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _run("--url", fake.url) == 0
    assert capsys.readouterr().out == render(REPORT, "text")
    assert [r.query_string for r in fake.seen] == ["format=json"]


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
async def test_report_renders_each_format_locally(
    fake: Fake, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    assert await _run("--url", fake.url + "/", "--format", fmt) == 0
    assert capsys.readouterr().out == render(REPORT, fmt)
    assert fake.seen[0].query.get("format") == "json", "the server is always asked for JSON"
    assert fake.seen[0].path == "/__admin/report"


async def test_report_passes_the_session_and_writes_to_a_file(
    fake: Fake, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    assert (
        await _run("--url", fake.url, "--session", "ci run/1", "-o", str(out), "--format", "html")
        == 0
    )
    assert out.read_text(encoding="utf-8") == render(REPORT, "html")
    assert capsys.readouterr().out == f"{out}: 1 error served, 1 handled badly, 0 unknown\n"
    assert dict(fake.seen[0].query) == {"format": "json", "session": "ci run/1"}


async def test_report_sends_the_admin_token_from_the_flag_or_the_variable(
    fake: Fake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.token = "s3cret"
    assert await _run("--url", fake.url, "--admin-token", "s3cret") == 0
    monkeypatch.setenv("MOCKSERVER_ADMIN_TOKEN", "s3cret")
    assert await _run("--url", fake.url) == 0
    assert [r.headers["Authorization"] for r in fake.seen] == ["Bearer s3cret"] * 2
    assert capsys.readouterr().err == ""


async def test_a_missing_admin_token_is_named(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.token = "s3cret"
    assert await _run("--url", fake.url) == 2
    err = _one_line(capsys.readouterr().err)
    assert "needs an admin token (401); pass --admin-token or set MOCKSERVER_ADMIN_TOKEN" in err
    assert "Authorization" not in fake.seen[0].headers


async def test_a_wrong_admin_token_is_named(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.token = "s3cret"
    assert await _run("--url", fake.url, "--admin-token", "guess") == 2
    err = _one_line(capsys.readouterr().err)
    assert "refused the admin token (401)" in err
    assert "guess" not in err


async def test_a_server_without_the_route_is_told_to_upgrade(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.status = 404
    fake.body = b'{"error": "not_found"}'
    assert await _run("--url", fake.url) == 2
    err = _one_line(capsys.readouterr().err)
    assert err.startswith("mockserver: this server has no /__admin/report; upgrade it")


async def test_another_error_status_is_named(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.status = 500
    assert await _run("--url", fake.url) == 2
    assert _one_line(capsys.readouterr().err).endswith("/__admin/report answered HTTP 500\n")


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"<html>proxy error</html>", "did not answer JSON"),
        (b"[1, 2]", "answered JSON that is not a report object"),
        (b'{"errors": {"a": 1}, "summary": {"served": "many"}}', "a report of another shape"),
    ],
)
async def test_an_answer_that_is_not_a_report_is_named(
    fake: Fake, capsys: pytest.CaptureFixture[str], body: bytes, said: str
) -> None:
    fake.body = body
    assert await _run("--url", fake.url) == 2
    captured = capsys.readouterr()
    assert said in _one_line(captured.err)
    assert captured.out == ""


async def test_an_unreachable_server_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:  # a port nobody listens on once it is closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert await _run("--url", f"http://127.0.0.1:{port}") == 2
    err = _one_line(capsys.readouterr().err)
    assert err.startswith(f"mockserver: cannot reach http://127.0.0.1:{port}: ")


async def test_a_url_that_is_not_http_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert await _run("--url", "127.0.0.1:8080") == 2
    assert "is not http(s)://HOST[:PORT]" in _one_line(capsys.readouterr().err)


async def test_a_proxy_from_the_environment_is_not_used_for_loopback(
    fake: Fake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    assert await _run("--url", fake.url) == 0
    assert capsys.readouterr().out == render(REPORT, "text")


async def test_an_unwritable_output_is_named(
    fake: Fake, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert await _run("--url", fake.url, "-o", str(tmp_path / "missing" / "r.txt")) == 2
    assert "cannot write" in _one_line(capsys.readouterr().err)
