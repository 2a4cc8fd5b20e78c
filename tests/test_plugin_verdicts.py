"""The plugin's verdict options (--mockserver-report, --mockserver-fail-on), driven by pytester.

The inner suites answer `mock.verdicts()` with a fixed report (conftest below), so these tests
pin the plugin: collecting every session's report, merging, writing, summing up, failing.
"""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

import pytest

# The inner suite's conftest: each test's session "served" what the test's name says
FAKE_REPORTS = """
import pytest
from mockserver.testing.client import MockSession

SEND = "/2010-04-01/Accounts/p/Messages.json"


def report(session, verdict, behaviour, key="20429", tag="rate-limit"):
    occurrence = {"session": session, "time": 1.0, "operation": "POST " + SEND,
                  "method": "POST", "path": SEND, "verdict": verdict, "behaviour": behaviour}
    counts = {"ok": 0, "bad": 0, "unknown": 0, verdict: 1}
    return {
        "errors": [{"vendor": "signalwire", "key": key, "code": key, "status": 429,
                    "tags": [tag], "served": 1, "occurrences": [occurrence]}],
        "coverage": {"signalwire": {"operations": {"POST " + SEND: {
            "served": {key: 1}, "not_exercised": {"server": ["20500", "20503"]}}}}},
        "summary": {"served": 1, **counts, "sessions": 1, "by_tag": {tag: counts}},
    }


@pytest.fixture(autouse=True)
def fake_reports(monkeypatch, request):
    name = request.node.name
    def verdicts(self):
        if "unreadable" in name:
            raise OSError("connection refused")
        if "bad" in name:
            return report(self.session, "bad", "retried after 0.1 s, vendor asked 2 s")
        return report(self.session, "ok", "retried after 2.1 s, as asked", key="20503",
                      tag="server")
    monkeypatch.setattr(MockSession, "verdicts", verdicts)
"""

GOOD = """
def test_ok_one(mock):
    pass

def test_ok_two(mock):
    pass

def test_without_a_session():
    pass
"""

BAD = (
    GOOD
    + """
def test_bad_retry(mock):
    pass
"""
)


def _plugin_args() -> list[str]:
    installed = {ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "mockserver.testing.plugin" in installed else ["-p", "mockserver.testing.plugin"]


def _run(pytester: pytest.Pytester, tests: str, *args: str) -> pytest.RunResult:
    pytester.makeconftest(FAKE_REPORTS)
    pytester.makepyfile(test_user=tests)
    return pytester.runpytest_subprocess(*_plugin_args(), "-p", "no:cacheprovider", *args)


def test_report_of_every_session_is_written_as_json(pytester: pytest.Pytester) -> None:
    result = _run(pytester, BAD, "--mockserver-report=out/report.json")
    result.assert_outcomes(passed=4)
    assert result.ret == 0  # bad verdicts alone do not fail a run that did not opt in
    report: dict[str, Any] = json.loads((pytester.path / "out" / "report.json").read_text())
    assert report["summary"] | {"by_tag": None} == {
        "served": 3,
        "ok": 2,
        "bad": 1,
        "unknown": 0,
        "sessions": 3,
        "by_tag": None,
    }
    assert report["summary"]["by_tag"]["server"] == {"ok": 2, "bad": 0, "unknown": 0}
    served = {e["key"]: e["served"] for e in report["errors"]}
    assert served == {"20503": 2, "20429": 1}
    operation = report["coverage"]["signalwire"]["operations"][
        "POST /2010-04-01/Accounts/p/Messages.json"
    ]
    # 20503 was exercised by two sessions, so the merged report no longer lists it as missed
    assert operation == {"served": {"20503": 2, "20429": 1}, "not_exercised": {"server": ["20500"]}}
    result.stdout.fnmatch_lines(
        [
            "*mockserver: 3 errors served, 1 handled badly: 20429 on POST .../Messages.json"
            " retried after 0.1 s, vendor asked 2 s",
            "*mockserver: report written to out/report.json",
        ]
    )


def test_fail_on_bad_fails_a_green_run(pytester: pytest.Pytester) -> None:
    result = _run(pytester, BAD, "--mockserver-fail-on=bad")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*failing the run (--mockserver-fail-on=bad)*"])


def test_fail_on_bad_passes_when_every_verdict_is_ok(pytester: pytest.Pytester) -> None:
    result = _run(pytester, GOOD, "--mockserver-fail-on=bad")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*mockserver: 2 errors served, 0 handled badly"])


def test_fail_on_bad_fails_when_a_report_cannot_be_read(pytester: pytest.Pytester) -> None:
    result = _run(
        pytester, GOOD + "\ndef test_unreadable(mock):\n    pass\n", "--mockserver-fail-on=bad"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*mockserver: no report: report of session t-test_unreadable*"])


def test_reports_of_xdist_workers_are_merged(pytester: pytest.Pytester) -> None:
    many = BAD + "".join(f"\ndef test_ok_copy_{i}(mock):\n    pass\n" for i in range(6))
    result = _run(pytester, many, "-n", "2", "--mockserver-report=report.json")
    result.assert_outcomes(passed=10)
    report = json.loads((pytester.path / "report.json").read_text())
    assert (report["summary"]["served"], report["summary"]["bad"]) == (9, 1)


def test_a_marked_test_is_left_out_of_the_report(pytester: pytest.Pytester) -> None:
    marked = GOOD + "\nimport pytest\n\n@pytest.mark.mockserver_no_verdicts\n"
    result = _run(
        pytester,
        marked + "def test_bad_but_fakes_the_clock(mock):\n    pass\n",
        "--strict-markers",
        "--mockserver-fail-on=bad",
    )
    result.assert_outcomes(passed=4)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*2 errors served, 0 handled badly", "*1 session(s) left out (mockserver_no_verdicts)"]
    )


def test_unknown_report_suffix_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, GOOD, "--mockserver-report=report.pdf")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*report.pdf: unknown report format*"])


def test_without_the_options_no_report_is_asked_for(pytester: pytest.Pytester) -> None:
    # every verdicts() call would raise here: the plain plugin never makes one
    result = _run(pytester, "def test_unreadable(mock):\n    pass\n")
    result.assert_outcomes(passed=1)
    assert "mockserver verdicts" not in result.stdout.str()


# A real server this time: one hasty client, one patient one (stdlib HTTP, Basic auth)
REAL = """
import base64
import time
import urllib.error
import urllib.request


def post(mock):
    creds = mock.credentials("signalwire")
    url = mock.url_for("signalwire") + f"/2010-04-01/Accounts/{creds['project']}/Messages.json"
    basic = base64.b64encode(f"{creds['project']}:{creds['token']}".encode()).decode()
    headers = {**mock.headers, "Authorization": "Basic " + basic}
    request = urllib.request.Request(url, data=b"To=%2B15550100001&From=%2B15550100000&Body=hi",
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_hasty(mock):
    mock.inject("signalwire", "20429", times=1, retry_after=2)
    assert [post(mock), post(mock)] == [429, 201]  # no wait at all


def test_patient(mock):
    mock.inject("signalwire", "20429", times=1, retry_after=1)
    assert post(mock) == 429
    time.sleep(1.2)
    assert post(mock) == 201
    mock.assert_no_bad_verdicts()
"""


def test_real_report_judges_the_hasty_client_and_fails_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=REAL)
    result = pytester.runpytest_subprocess(
        *_plugin_args(),
        "-p",
        "no:cacheprovider",
        "--mockserver-report=r.json",
        "--mockserver-fail-on=bad",
    )
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*mockserver: 2 errors served, 1 handled badly: 20429 on POST .../Messages.json"
            " retried after * s, vendor asked 2 s"
        ]
    )
    report = json.loads((pytester.path / "r.json").read_text())
    verdicts = sorted(
        (o["session"].split("-")[1], o["verdict"]) for o in report["errors"][0]["occurrences"]
    )
    assert verdicts == [("test_hasty", "bad"), ("test_patient", "ok")]
