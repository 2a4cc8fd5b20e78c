"""pytest plugin: a running mockserver per test run and a per-test, isolated `mock` session."""

from __future__ import annotations

import json
import os
import re
import uuid
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing import reports
from mockserver.testing.client import AdminError, MockSession
from mockserver.testing.thread import ServerThread

URL_ENV = "MOCKSERVER_URL"
TOKEN_ENV = "MOCKSERVER_ADMIN_TOKEN"
# Names people reach for instead of URL_ENV (MOCK_URL, MOCKSERVER_BASE_URL, MOCK_SERVER_URL...)
_LOOK_ALIKE = re.compile(r"^MOCK_?(SERVER)?_?\w*URL$", re.IGNORECASE)


@pytest.fixture(scope="session")
def mockserver_url() -> Iterator[str]:
    """Base URL of the server: $MOCKSERVER_URL (e.g. a CI service container) or one in-process."""
    external = os.environ.get(URL_ENV)
    if external:
        yield external.rstrip("/")
        return
    _warn_about_look_alikes(os.environ)
    with ServerThread() as server:
        yield server.url


def _warn_about_look_alikes(environ: Mapping[str, str]) -> None:
    """A URL under a near-miss name would otherwise be ignored without a word."""
    names = sorted(n for n in environ if n != URL_ENV and _LOOK_ALIKE.match(n))
    if names:
        warnings.warn(
            f"{', '.join(names)} set but {URL_ENV} is not: the plugin reads only {URL_ENV}, "
            "so these tests run against an in-process mockserver",
            stacklevel=2,
        )


@pytest.fixture
def mock(mockserver_url: str, request: pytest.FixtureRequest) -> Iterator[MockSession]:
    """This test's own mock session: rules, counters and journal no other test sees."""
    name = request.node.name.replace("[", "-").replace("]", "")[:40]
    session = MockSession(
        mockserver_url, f"t-{name}-{uuid.uuid4().hex[:8]}", os.environ.get(TOKEN_ENV)
    )
    yield session
    collector = request.config.stash.get(COLLECTOR, None)
    if collector is not None:  # before the reset forgets the session's journal
        collector.collect(session, judged=request.node.get_closest_marker(NO_VERDICTS) is None)
    session.reset()


class Collector:
    """The verdict reports of this run's sessions, for --mockserver-report / -fail-on."""

    def __init__(self, path: Path | None, fail_on: str | None) -> None:
        self.path = path
        self.fail_on = fail_on
        self.reports: list[dict[str, Any]] = []
        self.problem: str | None = None  # why some session's report could not be read
        self.left_out = 0  # sessions of tests marked NO_VERDICTS

    def collect(self, session: MockSession, judged: bool = True) -> None:
        """Keep one session's report; remember (once) why it could not be read."""
        if not judged:
            self.left_out += 1
            return
        try:
            self.reports.append(session.verdicts())
        except (AdminError, OSError, ValueError) as err:
            self.problem = self.problem or f"report of session {session.session}: {err}"

    def bad(self, report: Mapping[str, Any]) -> bool:
        """The run must fail: a bad verdict, or no report to prove there is none."""
        if self.fail_on != "bad":
            return False
        return self.problem is not None or report["summary"]["bad"] > 0


# a test that fakes the clock (records waits instead of sleeping them) looks to the server
# like one that retries at once: its verdicts would be wrong, so it opts out of the report
NO_VERDICTS = "mockserver_no_verdicts"
COLLECTOR = pytest.StashKey[Collector]()
REPORT = pytest.StashKey[dict[str, Any]]()
WORKER_OUTPUT = "mockserver_reports"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver")
    group.addoption(
        "--mockserver-report",
        metavar="PATH",
        help="write the error-handling report of every `mock` session to PATH after the run "
        "(format by suffix: .json, .md, .html, .txt) and print a one-line summary",
    )
    group.addoption(
        "--mockserver-fail-on",
        choices=("bad",),
        help="fail the run when a vendor error was handled badly (a `bad` verdict)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{NO_VERDICTS}: leave this test's mock session out of --mockserver-report and "
        "--mockserver-fail-on (e.g. it records waits instead of sleeping them)",
    )
    raw = config.getoption("mockserver_report", None)
    fail_on = config.getoption("mockserver_fail_on", None)
    if raw is None and fail_on is None:
        return
    path = Path(raw) if raw else None
    if path is not None:
        try:
            reports.format_for(path)
        except ValueError as err:
            raise pytest.UsageError(str(err)) from None
    config.stash[COLLECTOR] = Collector(path, fail_on)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: a worker's sessions were collected there; bring them here."""
    collector = node.config.stash.get(COLLECTOR, None)
    output = getattr(node, "workeroutput", {})
    if collector is None or WORKER_OUTPUT not in output:
        return
    sent = json.loads(output[WORKER_OUTPUT])
    collector.reports.extend(sent["reports"])
    collector.left_out += sent["left_out"]
    collector.problem = collector.problem or sent["problem"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    collector = config.stash.get(COLLECTOR, None)
    if collector is None:
        return
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        payload = {
            "reports": collector.reports,
            "problem": collector.problem,
            "left_out": collector.left_out,
        }
        config.workeroutput[WORKER_OUTPUT] = json.dumps(payload)  # type: ignore[attr-defined]
        return
    report = reports.merge(collector.reports)
    config.stash[REPORT] = report
    if collector.path is not None and collector.problem is None:
        reports.write(report, collector.path)
    if collector.bad(report) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    collector = config.stash.get(COLLECTOR, None)
    report = config.stash.get(REPORT, None)
    if collector is None or report is None:
        return
    terminalreporter.section("mockserver verdicts")
    if collector.problem is not None:
        terminalreporter.write_line(f"mockserver: no report: {collector.problem}", red=True)
        return
    terminalreporter.write_line(reports.summary_line(report), red=report["summary"]["bad"] > 0)
    if collector.left_out:
        terminalreporter.write_line(
            f"mockserver: {collector.left_out} session(s) left out ({NO_VERDICTS})"
        )
    if collector.path is not None:
        terminalreporter.write_line(f"mockserver: report written to {collector.path}")
    if collector.bad(report):
        terminalreporter.write_line("mockserver: failing the run (--mockserver-fail-on=bad)")
