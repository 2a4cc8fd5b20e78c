"""CLI: offline catalog commands and a real `serve` process started and stopped by signal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from mockserver.cli import main


def test_catalog_show_prints_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "yeastar", "10004"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["message"] == "TOKEN EXPIRED"


def test_catalog_render_prints_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "render", "signalwire", "20003"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == 401
    assert data["body"]["code"] == 20003


def test_catalog_search_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "token", "--vendor", "ringcentral"]) == 0
    assert "OAU-128" in capsys.readouterr().out
    assert main(["catalog", "list", "--vendor", "fonedynamics", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 53


def test_catalog_unknown_code_exits_2_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "show", "ringcentral", "CMN-30"]) == 2
    assert "closest" in capsys.readouterr().err


def test_bad_vendor_port_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--vendor-port", "twilio=9000"]) == 2
    assert "unknown vendor 'twilio'" in capsys.readouterr().err


def _get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


@pytest.mark.slow
def test_serve_starts_answers_and_stops_on_sigterm() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--vendor-port", "yeastar=0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("mockserver "), first + (proc.stderr.read() if proc.stderr else "")
        url = first.split(" on ")[1].strip()
        lines = [proc.stdout.readline() for _ in range(6)]
        yeastar_line = next(line for line in lines if line.strip().startswith("yeastar"))
        assert _get_json(url + "/__admin/health")["status"] == "ok"
        ready = time.perf_counter() - started
        yeastar_url = yeastar_line.split()[1]
        req = urllib.request.Request(
            yeastar_url + "openapi/v1.0/x", headers={"X-Mock-Error": "10004"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.loads(resp.read())["errcode"] == 10004
        print(f"ready in {ready:.3f}s")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(15)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert code == 0
