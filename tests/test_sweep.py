"""Error sweeps: which catalogued errors a sweep picks, and serving each once on its operation."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from mockserver.testing import ErrorCase, ServerThread, error_cases, sweep
from mockserver.testing.client import MockSession

MESSAGES = "/2010-04-01/Accounts/*/Messages.json"


def test_retryable_errors_of_sms_send() -> None:
    cases = error_cases("signalwire", "post", MESSAGES, retryable=True, exclude_tags=["voice"])
    assert [(c.key, c.status) for c in cases] == [
        ("20429", 429),
        ("20500", 500),
        ("20503", 503),
        ("90000", 500),
    ]
    assert cases[0].match == {"vendor": "signalwire", "method": "POST", "path": {"glob": MESSAGES}}


def test_tags_keep_any_of_them_and_only_sync_errors() -> None:
    cases = error_cases(
        "ringcentral",
        "POST",
        "/restapi/v1.0/account/~/extension/~/sms",
        tags=["rate-limit", "server"],
    )
    assert {"CMN-301", "CMN-201", "MSG-290"} <= {c.key for c in cases}
    assert all({"rate-limit", "server"} & set(c.tags) for c in cases)
    assert all(c.match["path"] == "/restapi/v1.0/account/~/extension/~/sms" for c in cases)


def test_sweep_gives_one_param_per_error_named_by_key() -> None:
    params = sweep("signalwire", "POST", MESSAGES, retryable=True, exclude_tags=["voice"])
    assert [p.id for p in params] == ["20429", "20500", "20503", "90000"]
    assert all(isinstance(p.values[0], ErrorCase) for p in params)


def test_an_empty_sweep_is_an_error_not_a_silent_pass() -> None:
    with pytest.raises(ValueError, match="no catalogued signalwire error"):
        sweep("signalwire", "POST", MESSAGES, tags=["no-such-tag"])


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running


def _send(mock: MockSession, path: str) -> int:
    url = mock.url_for("signalwire") + path
    request = urllib.request.Request(
        url,
        data=b"To=%2B15550100001&From=%2B15550100000&Body=hi",
        method="POST",
        headers={**mock.headers, "Authorization": "Basic " + _basic(mock)},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def _basic(mock: MockSession) -> str:
    creds = mock.credentials("signalwire")
    return base64.b64encode(f"{creds['project']}:{creds['token']}".encode()).decode()


def test_serve_once_answers_the_next_send_with_the_error_then_passes(
    server: ServerThread,
) -> None:
    mock = MockSession(server.url, "sweep-serve-once")
    project = mock.credentials("signalwire")["project"]
    path = MESSAGES.replace("*", project)
    (case,) = [c for c in error_cases("signalwire", "POST", MESSAGES) if c.key == "20503"]
    mock.serve_once(case)
    assert [_send(mock, path), _send(mock, path)] == [503, 201]
    (served,) = mock.verdicts()["errors"]
    assert (served["key"], served["served"]) == ("20503", 1)
    assert mock.report(format="html").startswith("<!doctype html>")
    mock.reset()
