"""The pytest plugin, driven by pytester: fixtures, injection, isolation, failure messages."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterator

import pytest

from mockserver.testing import ServerThread
from mockserver.vendors import VENDORS

# A user's test file, exactly as they would write it (stdlib HTTP, no extra packages)
USER_TESTS = """
import json
import urllib.error
import urllib.request

SEND = "/2010-04-01/Accounts/{project}/Messages.json"


def post(mock, headers=None):
    project = mock.credentials("signalwire")["project"]
    url = mock.url_for("signalwire") + SEND.format(project=project)
    request = urllib.request.Request(url, data=b"To=%2B15550100&From=%2B15550101&Body=hi",
                                     method="POST", headers={**mock.headers, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_first_send_rate_limited_then_ok(mock):
    mock.inject("signalwire", "20429", times=1)
    assert post(mock)[0] == 429
    assert post(mock)[0] != 429
    mock.assert_requests(2, vendor="signalwire", method="POST")


def test_isolated_from_the_other_test(mock):
    # the rule injected in the other test belongs to that test's session only
    assert post(mock)[0] != 429
"""


def _plugin_args() -> list[str]:
    installed = {ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "mockserver.testing.plugin" in installed else ["-p", "mockserver.testing.plugin"]


def test_fixture_inject_and_assert(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q")
    result.assert_outcomes(passed=2)


def test_parallel_run_under_xdist_keeps_sessions_apart(pytester: pytest.Pytester) -> None:
    many = USER_TESTS + "".join(
        f"\n\ndef test_copy_{i}(mock):\n    test_first_send_rate_limited_then_ok(mock)\n"
        for i in range(8)
    )
    pytester.makepyfile(test_user=many)
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q", "-n", "2")
    result.assert_outcomes(passed=10)


def test_failure_message_shows_requests_and_near_misses(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user=USER_TESTS
        + """

def test_wrong_expectation(mock):
    mock.load_scenario({"name": "mine", "vendor": "signalwire", "rules": [
        {"name": "slow-send", "match": {"method": "DELETE"}, "error": 21211}]})
    post(mock)
    mock.assert_requests(5, vendor="signalwire")
"""
    )
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q", "-k", "wrong_expectation")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected 5 request(s) matching*got 1*",
            "*received in session *",
            "E  *POST /signalwire/2010-04-01/Accounts/*/Messages.json -> 401 passthrough;"
            " near miss 'slow-send': method: expected DELETE got 'POST'",
        ]
    )
    # one line per request: no raw JSON, and the shipped magic-value rules stay out of it
    assert "matched_parts" not in result.stdout.str()
    assert "magic" not in result.stdout.str()


def test_count_filters_on_status_and_outcome(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_user=USER_TESTS
        + """

def test_by_answer(mock):
    mock.inject("signalwire", "20429", times=1)
    post(mock)
    post(mock)
    assert mock.count(vendor="signalwire", status=429) == 1
    assert mock.count(status=401, outcome="passthrough") == 1
    assert mock.count(method="POST", outcome="error") == 1
    mock.assert_requests(1, status=429, outcome="error")
"""
    )
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q", "-k", "by_answer")
    result.assert_outcomes(passed=1)


@pytest.fixture
def external() -> Iterator[ServerThread]:
    with ServerThread() as server:
        yield server


def test_external_server_via_env(
    pytester: pytest.Pytester, external: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKSERVER_URL", external.url)
    seen: list[str] = []
    recorder = external.services.pipeline.recorders[0]
    original = recorder.record
    monkeypatch.setattr(
        recorder, "record", lambda snap, *a: (seen.append(snap.path), original(snap, *a))
    )
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q")
    result.assert_outcomes(passed=2)
    assert len(seen) == 3  # the requests really went to the external server
    assert external.services.store.journal() == []  # and each test's session was reset after it


def test_look_alike_url_variable_is_warned_about(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOCKSERVER_URL", raising=False)
    monkeypatch.setenv("MOCK_URL", "http://127.0.0.1:9")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess(*_plugin_args(), "-q")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        ["*MOCK_URL set but MOCKSERVER_URL is not: the plugin reads only MOCKSERVER_URL*"]
    )


def test_load_scenario_accepts_paths_text_and_mappings(
    external: ServerThread, tmp_path: object
) -> None:
    from pathlib import Path

    from mockserver.testing.client import MockSession

    session = MockSession(external.url, "s-paths")
    root = Path(__file__).resolve().parents[1] / "scenarios" / "signalwire"
    names = [
        session.load_scenario(root / "rate-limited-then-recovers.yaml")["loaded"],
        session.load_scenario(str(root / "connection-reset.yaml"))["loaded"],
        session.load_scenario("name: t\nvendor: yeastar\nrules:\n  - {error: '10004'}\n")["loaded"],
        session.load_scenario({"name": "m", "vendor": "yeastar", "rules": [{"error": "-2"}]})[
            "loaded"
        ],
    ]
    assert [len(n) for n in names] == [1, 1, 1, 1]
    listing = session.call("GET", "scenarios", query={"session": "s-paths"})
    # the session sees its own rules plus the shared ones (the shipped magic numbers)
    assert {r["session"] for r in listing["rules"]} == {"s-paths", None}
    shared = {r["scenario"] for r in listing["rules"] if r["session"] is None}
    assert shared == {f"defaults-{v}" for v in VENDORS}
