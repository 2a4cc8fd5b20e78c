"""Settings declared once: flags, MOCKSERVER_* variables, --help and docs derive from them."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from mockserver.cli import main
from mockserver.server import run as server_module
from mockserver.server import workers as workers_module
from mockserver.settings import Settings, options
from mockserver.telemetry import logs

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_mockserver_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the variables it means; none leak in from the shell."""
    for name in list(os.environ):
        if name.startswith("MOCKSERVER_"):
            monkeypatch.delenv(name)


def served(monkeypatch: pytest.MonkeyPatch, *flags: str, **env: str) -> Settings:
    """The settings `mockserver serve FLAGS` would serve with these variables set."""
    seen: list[Settings] = []

    async def record(settings: Settings) -> None:
        seen.append(settings)

    for name, value in env.items():
        monkeypatch.setenv(name, value)

    def supervised(settings: Settings) -> int:  # --workers N: the same settings, N processes
        seen.append(settings)
        return 0

    monkeypatch.setattr(server_module, "serve", record)
    monkeypatch.setattr(workers_module, "supervise", supervised)
    assert main(["serve", *flags]) == 0
    return seen[0]


# one setting of each kind: (setting, flag given, variable given, default, env's, flag's)
KINDS: dict[str, tuple[str, list[str], dict[str, str], Any, Any, Any]] = {
    "scalar": ("port", ["--port", "9001"], {"MOCKSERVER_PORT": "9002"}, 8080, 9002, 9001),
    "bool": (
        "access_log",
        ["--no-access-log"],
        {"MOCKSERVER_ACCESS_LOG": "true"},
        False,
        True,
        False,
    ),
    "bool-default-on": (
        "defaults",
        ["--defaults"],
        {"MOCKSERVER_DEFAULTS": "off"},
        True,
        False,
        True,
    ),
    "mapping": (
        "vendor_ports",
        ["--vendor-port", "yeastar=9003"],
        {"MOCKSERVER_VENDOR_PORTS": "signalwire=9001, yeastar=9002"},
        {},
        {"signalwire": 9001, "yeastar": 9002},
        {"yeastar": 9003},
    ),
    "list": (
        "callback_allow",
        ["--callback-allow", "hook.local"],
        {"MOCKSERVER_CALLBACK_ALLOW": "10.0.0.0/8 other.local"},
        (),
        ("10.0.0.0/8", "other.local"),
        ("hook.local",),
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_flag_wins_over_its_variable_which_wins_over_the_default(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, flag, env, default, from_env, from_flag = KINDS[kind]
    assert getattr(served(monkeypatch), name) == default
    assert getattr(served(monkeypatch, **env), name) == from_env
    assert getattr(served(monkeypatch, *flag, **env), name) == from_flag


def test_every_setting_is_read_from_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = served(
        monkeypatch,
        MOCKSERVER_HOST="0.0.0.0",
        MOCKSERVER_SEED="7",
        MOCKSERVER_CATALOG_DIR=str(ROOT / "catalog"),
        MOCKSERVER_ADMIN_TOKEN="t0k",
        MOCKSERVER_JOURNAL_SIZE="5",
        MOCKSERVER_JOURNAL_BYTES="6",
        MOCKSERVER_SESSION_TTL="7.5",
        MOCKSERVER_SESSION_CAP="8",
        MOCKSERVER_RESOURCE_LIMIT="9",
        MOCKSERVER_CALLBACK_LOG_SIZE="10",
        MOCKSERVER_MAX_BODY="11",
        MOCKSERVER_MAX_SCENARIO_BYTES="12",
        MOCKSERVER_WATCH_INTERVAL="0",
        MOCKSERVER_LOG_FORMAT="json",
        MOCKSERVER_TOKEN_TTL="60",
        MOCKSERVER_SHUTDOWN_GRACE="1",
        MOCKSERVER_READ_TIMEOUT="2",
        MOCKSERVER_KEEPALIVE_TIMEOUT="3",
        MOCKSERVER_DELIVERY_DELAY="0",
        MOCKSERVER_WEBHOOK_SECRET="s3cret",
        MOCKSERVER_WEBHOOKS="yeastar=http://127.0.0.1:9/hook",
        MOCKSERVER_CREDENTIALS="signalwire=PROJECT:TOKEN,yeastar=ID:SECRET",
        MOCKSERVER_PROXY="signalwire=https://example.signalwire.com/",
        MOCKSERVER_PROXY_TIMEOUT="4.5",
        MOCKSERVER_RECORD="/tmp/captures",
        MOCKSERVER_STORE="redis://127.0.0.1:6390/2",
        MOCKSERVER_WORKERS="3",
    )
    assert settings.model_dump(exclude={"vendor_ports", "scenarios", "callback_allow"}) == {
        "host": "0.0.0.0",
        "port": 8080,
        "seed": 7,
        "catalog_dir": ROOT / "catalog",
        "admin_token": "t0k",
        "journal_size": 5,
        "journal_bytes": 6,
        "session_ttl": 7.5,
        "session_cap": 8,
        "resource_limit": 9,
        "callback_log_size": 10,
        "max_body": 11,
        "max_scenario_bytes": 12,
        "watch_interval": 0.0,
        "log_format": "json",
        "access_log": False,
        "token_ttl": 60.0,
        "defaults": True,
        "shutdown_grace": 1.0,
        "read_timeout": 2.0,
        "keepalive_timeout": 3.0,
        "delivery_delay": 0.0,
        "webhook_secret": "s3cret",
        "webhooks": {"yeastar": "http://127.0.0.1:9/hook"},
        "credentials": {"signalwire": ("PROJECT", "TOKEN"), "yeastar": ("ID", "SECRET")},
        "proxy": {"signalwire": "https://example.signalwire.com"},
        "proxy_timeout": 4.5,
        "record": Path("/tmp/captures"),
        "store": "redis://127.0.0.1:6390/2",
        "workers": 3,
    }


def test_an_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = served(monkeypatch, MOCKSERVER_PORT="", MOCKSERVER_ADMIN_TOKEN="")
    assert (settings.port, settings.admin_token) == (8080, None)


def test_no_watch_is_a_zero_watch_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    assert served(monkeypatch, "--no-watch", MOCKSERVER_WATCH_INTERVAL="5").watch_interval == 0
    assert served(monkeypatch, "--watch-interval", "2.5").watch_interval == 2.5


def test_scenario_paths_split_on_commas_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spaced = tmp_path / "my scenarios"
    spaced.mkdir()
    other = tmp_path / "b.yaml"
    other.write_text("")
    settings = served(monkeypatch, MOCKSERVER_SCENARIOS=f"{spaced}, {other}")
    assert settings.scenarios == (spaced, other)
    assert capsys.readouterr().err == ""


def test_a_scenario_path_from_the_variable_that_does_not_exist_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "not-checked-out-yet"
    try:
        settings = served(monkeypatch, MOCKSERVER_SCENARIOS=f"{tmp_path},{missing}")
    finally:
        logs.unconfigure()
    assert settings.scenarios == (tmp_path,)
    err = capsys.readouterr().err
    assert err.endswith(
        f" WARNING mockserver: MOCKSERVER_SCENARIOS: {missing} does not exist; "
        "starting without it\n"
    )
    assert err.count("\n") == 1
    # given by flag, the path is kept: the start stops on it (as before)
    assert served(monkeypatch, "--scenarios", str(missing)).scenarios == (missing,)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOCKSERVER_PORT": "abc"}, "MOCKSERVER_PORT='abc': expected a whole number"),
        ({"MOCKSERVER_PORT": "70000"}, "MOCKSERVER_PORT='70000': must be between 0 and 65535"),
        ({"MOCKSERVER_SESSION_TTL": "1h"}, "MOCKSERVER_SESSION_TTL='1h': expected a number"),
        (
            {"MOCKSERVER_ACCESS_LOG": "maybe"},
            "MOCKSERVER_ACCESS_LOG='maybe': expected true or false (also 1/0, yes/no, on/off)",
        ),
        (
            {"MOCKSERVER_LOG_FORMAT": "xml"},
            "MOCKSERVER_LOG_FORMAT='xml': expected 'text' or 'json'",
        ),
        (
            {"MOCKSERVER_VENDOR_PORTS": "signalwire=9001,yeastar=65536"},
            "MOCKSERVER_VENDOR_PORTS yeastar=65536: must be between 0 and 65535",
        ),
        (
            {"MOCKSERVER_VENDOR_PORTS": "yeastar"},
            "MOCKSERVER_VENDOR_PORTS 'yeastar': expected NAME=PORT, e.g. signalwire=9001",
        ),
        (
            {"MOCKSERVER_VENDOR_PORTS": "twilio=9000"},
            "MOCKSERVER_VENDOR_PORTS: unknown vendor 'twilio'; known: "
            "['fonedynamics', 'ringcentral', 'signalwire', 'webexconnect', 'yeastar']",
        ),
        (
            {"MOCKSERVER_CREDENTIALS": "signalwire=nocolon"},
            "MOCKSERVER_CREDENTIALS signalwire='nocolon': expected NAME=ID:SECRET",
        ),
        (
            {"MOCKSERVER_WEBHOOKS": "yeastar="},
            "MOCKSERVER_WEBHOOKS 'yeastar=': expected NAME=URL",
        ),
        (
            {"MOCKSERVER_CALLBACK_ALLOW": "hook.local,10.0.0.0/33"},
            "MOCKSERVER_CALLBACK_ALLOW '10.0.0.0/33': expected a host name, an IP address or "
            "a CIDR (e.g. hook.local, 10.1.2.3, 10.0.0.0/8)",
        ),
    ],
)
def test_a_bad_variable_is_one_line_naming_it_and_exit_2(
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    assert capsys.readouterr() == ("", f"mockserver: {message}\n")


def test_a_flag_is_named_rather_than_the_variable_it_overrides(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOCKSERVER_PORT", "9000")
    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err == "mockserver: --port 70000: must be between 0 and 65535\n"


def test_a_real_process_reads_the_environment() -> None:
    env = {**os.environ, "MOCKSERVER_VENDOR_PORTS": "yeastar=65536"}
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        "mockserver: MOCKSERVER_VENDOR_PORTS yeastar=65536: must be between 0 and 65535\n",
    )


def serve_help(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """`serve --help`, one entry per option: its first flag -> its whole help text."""
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    body = capsys.readouterr().out.split("\noptions:\n", 1)[1].split("\n\n", 1)[0]
    entries = re.split(r"\n(?=  -)", body)
    return {entry.split()[0].rstrip(","): " ".join(entry.split()) for entry in entries}


def test_every_setting_has_a_flag_whose_help_names_its_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown = serve_help(capsys)
    for option in options().values():
        assert f"env: {option.env}" in shown[option.flag], option.flag
        if option.off:
            assert f"env: {option.env}=0" in shown[option.off], option.off
    declared = {o.flag for o in options().values()} | {o.off for o in options().values() if o.off}
    assert set(shown) - {"-h"} == declared


# the flags `serve` had before its options were generated from the declarations
FLAGS_BEFORE = (
    *("--host", "--port", "--vendor-port", "--seed", "--catalog", "--admin-token"),
    *("--scenarios", "--no-watch", "--no-defaults", "--token-ttl", "--journal-size"),
    *("--journal-bytes", "--session-ttl", "--session-cap", "--max-body", "--log-format"),
    *("--max-scenario-bytes", "--access-log", "--credentials", "--callback-allow"),
    *("--shutdown-grace", "--read-timeout", "--keepalive-timeout", "--delivery-delay"),
    *("--webhook", "--webhook-secret"),
)


def test_every_existing_flag_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    names = set()
    for entry in serve_help(capsys).values():
        for token in entry.split():
            if not token.startswith("-") and not token.isupper() and "{" not in token:
                break
            names.add(token.rstrip(","))
    assert set(FLAGS_BEFORE) <= names


def test_settings_in_code_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKSERVER_PORT", "9000")
    monkeypatch.setenv("MOCKSERVER_ADMIN_TOKEN", "from-the-shell")
    assert (Settings().port, Settings().admin_token) == (8080, None)


def test_settings_are_frozen_and_derived_by_copy() -> None:
    settings = Settings(port=0, vendor_ports={"yeastar": 9001})
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
    moved = settings.model_copy(update={"port": 9000})
    assert (moved.port, moved.vendor_ports, settings.port) == (9000, {"yeastar": 9001}, 0)


def test_settings_in_code_are_validated() -> None:
    with pytest.raises(ValidationError, match="must be between 0 and 65535"):
        Settings(port=70000)
    with pytest.raises(ValidationError):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


def load_table_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "settings_table", ROOT / "scripts" / "settings_table.py"
    )
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_settings_table_in_the_docs_is_current() -> None:
    script = load_table_script()
    text = script.DOC.read_text(encoding="utf-8")
    assert script.rewritten(text) == text, "run: python scripts/settings_table.py"
    for option in options().values():
        assert f"| `{option.env}` |" in text
