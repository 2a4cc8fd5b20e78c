"""CLI: offline catalog commands and a real `serve` process started and stopped by signal."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mockserver import __version__
from mockserver.cli import main
from mockserver.server.banner import banner
from mockserver.server.services import build_services
from mockserver.settings import Settings


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


def test_catalog_search_rate_limit_finds_the_429_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "rate limit", "--json"]) == 0
    found = [(e["vendor"], e["key"]) for e in json.loads(capsys.readouterr().out)]
    assert ("ringcentral", "CMN-301") in found
    assert ("signalwire", "20429") in found
    assert main(["catalog", "search", "20429", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert (first["vendor"], first["key"]) == ("signalwire", "20429")


def test_catalog_search_without_hits_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "search", "zzqqx"]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert "no catalogued error matches 'zzqqx'" in out.err


def test_catalog_search_into_a_closed_pipe_is_quiet() -> None:
    # "e" matches over 64 KiB of lines, more than a pipe holds, so the write must fail
    cmd = f"{sys.executable} -m mockserver catalog search e | head -1"
    done = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60)
    assert done.stdout.count("\n") == 1
    assert "BrokenPipeError" not in done.stderr
    assert done.stderr == ""


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


def _serve(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--no-watch", *flags],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--port", "70000"), "mockserver: --port 70000: must be between 0 and 65535\n"),
        (("--port", "-1"), "mockserver: --port -1: must be between 0 and 65535\n"),
        (
            ("--port", "0", "--vendor-port", "yeastar=65536"),
            "mockserver: --vendor-port yeastar=65536: must be between 0 and 65535\n",
        ),
    ],
)
def test_a_port_out_of_range_is_one_line_and_exit_2(flags: tuple[str, ...], message: str) -> None:
    done = _serve(*flags)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", message)


@pytest.mark.slow
def test_a_port_in_use_is_one_line_naming_the_flag() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        main_port = _serve("--port", str(port))
        vendor_port = _serve("--port", "0", "--vendor-port", f"signalwire={port}")
    assert (main_port.returncode, main_port.stdout, main_port.stderr) == (
        2,
        "",
        f"mockserver: --port {port}: address 127.0.0.1:{port} is already in use\n",
    )
    assert (vendor_port.returncode, vendor_port.stdout) == (2, "")
    assert vendor_port.stderr == (
        f"mockserver: --vendor-port signalwire={port}: address 127.0.0.1:{port} is already in use\n"
    )


@pytest.mark.slow
def test_an_unresolvable_host_is_one_line_naming_the_flag() -> None:
    done = _serve("--host", "no-such-host.invalid", "--port", "0")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("mockserver: --host no-such-host.invalid: cannot be resolved")
    assert done.stderr.count("\n") == 1


SERVE = (sys.executable, "-m", "mockserver", "serve", "--port", "0")
SCENARIO = """
name: two-rules
vendor: yeastar
rules:
  - name: a
    match: {path: /openapi/v1.0/a}
    error: "10004"
  - name: b
    match: {path: /openapi/v1.0/b}
    error: "10004"
"""


def test_the_banner_lists_defaults_and_scenario_files(tmp_path: Path) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(SCENARIO)
    services = build_services(Settings(scenarios=(scenario,)))
    text = banner(services, "http://127.0.0.1:1", {}, "text").splitlines()
    assert text[-2] == "  defaults      5 files, 31 rules (--no-defaults: none)"
    assert text[-1].split() == ["scenarios", str(scenario), "2", "rules"]


@pytest.mark.slow
def test_with_json_logs_the_banner_is_json_lines_and_nothing_else(tmp_path: Path) -> None:
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(SCENARIO)
    proc = subprocess.Popen(
        [*SERVE, "--log-format", "json", "--no-watch", "--scenarios", str(scenario)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "listening"
        assert first["message"] == f"mockserver {__version__} listening on {first['url']}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    # read through the text streams: communicate() would skip what readline buffered
    assert proc.stdout is not None
    assert proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event"] for line in lines] == [
        *["vendor"] * 5,
        "admin",
        "defaults",
        "scenario_file",
    ]
    assert (lines[-2]["files"], lines[-2]["rules"]) == (5, 31)
    assert (lines[-1]["file"], lines[-1]["rules"]) == (str(scenario), 2)
    assert all(line["level"] == "info" and line["logger"] == "mockserver" for line in lines)
    assert err == ""
    assert proc.returncode == 0
