"""The verdict rules branch by branch, the report's bookkeeping, operations and fingerprints."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from mockserver.catalog import Catalog
from mockserver.journal.entry import JournalEntry
from mockserver.vendors import VENDORS
from mockserver.verdicts.operations import (
    Operations,
    credential_fingerprint,
    request_fingerprint,
    template,
)
from mockserver.verdicts.report import NOT_EXERCISED_SHOWN, _afters, build_report
from mockserver.verdicts.rules import (
    HAMMER_RETRIES,
    HAMMER_WINDOW,
    Attempt,
    Guidance,
    after,
    judge,
)

RATE = Guidance(retryable=True, status=429, tags=("rate-limit",), wait=2.0)
SERVER = Guidance(retryable=True, status=503, tags=("server",))
INVALID = Guidance(retryable=False, status=400, tags=("validation",))
EXPIRED = Guidance(retryable=False, status=401, tags=("oauth", "auth"))
TOKEN_200 = Guidance(retryable=False, status=200, tags=("auth",))  # Yeastar: errors on HTTP 200
FORBIDDEN = Guidance(retryable=False, status=403, tags=("auth", "permission"))


def at(time: float, request: str = "same", credential: str = "token-a") -> Attempt:
    return Attempt(time, request, credential)


SERVED = at(0.0)


@pytest.mark.parametrize(
    ("guidance", "later", "repeat", "verdict", "behaviour"),
    [
        (RATE, [], False, "unknown", "no later request"),
        (RATE, [at(0.1)], False, "bad", "retried after 0.1 s, vendor asked 2 s"),
        (RATE, [at(2.0)], False, "ok", "waited 2.0 s, vendor asked 2 s"),
        (RATE, [at(2.5)], False, "ok", "waited 2.5 s, vendor asked 2 s"),
        (SERVER, [at(0.1), at(0.2), at(0.4)], False, "bad", "3 retries in 0.4 s, no backoff"),
        (SERVER, [at(0.1), at(0.2)], False, "ok", "backed off: next try after 0.1 s"),
        (SERVER, [at(0.5), at(1.5), at(3.0)], False, "ok", "backed off: next try after 0.5 s"),
        (INVALID, [at(1), at(2), at(3)], False, "bad", "repeated unchanged 3 times"),
        (INVALID, [at(1, "fixed"), at(2)], False, "bad", "repeated unchanged once"),
        (INVALID, [at(1, "fixed")], False, "ok", "not repeated: the next request was changed"),
        (INVALID, [], True, "bad", "sent again unchanged after the vendor refused it"),
        (
            EXPIRED,
            [at(1, credential="token-b")],
            False,
            "ok",
            "refreshed the token: the next call used a new credential",
        ),
        (EXPIRED, [at(1)], False, "bad", "called again with the same rejected credential"),
        (EXPIRED, [at(1)], True, "bad", "called again with the same rejected credential"),
        (EXPIRED, [], False, "unknown", "no later request"),
        (TOKEN_200, [at(1, credential="token-b")], False, "ok", None),
        # a permission refusal is not answered by a new token: judged as not retryable
        (FORBIDDEN, [at(1, "fixed", "token-b")], False, "ok", None),
        (FORBIDDEN, [at(1, credential="token-b"), at(2)], False, "bad", None),
    ],
)
def test_rules(
    guidance: Guidance,
    later: list[Attempt],
    repeat: bool,
    verdict: str,
    behaviour: str | None,
) -> None:
    judged = judge(guidance, SERVED, after(SERVED, later), repeat)
    assert judged.verdict == verdict
    if behaviour is not None:
        assert judged.behaviour == behaviour


def test_thresholds_are_the_issues() -> None:
    assert (HAMMER_RETRIES, HAMMER_WINDOW) == (3, 1.0)


def test_the_reports_one_pass_agrees_with_the_rules_own_count() -> None:
    rng = random.Random(7)
    times = sorted(rng.uniform(0, 5) for _ in range(200))
    attempts = [at(t, rng.choice("abc"), rng.choice("xy")) for t in times]
    fast = _afters(attempts)
    for i, a in enumerate(attempts):
        assert fast[i] == after(a, attempts[i + 1 :])


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            r"(?P<prefix>(?:/api/laml)?)/2010-04-01/Accounts/(?P<account>[^/]+?)/Messages(?:\.json)?",
            "/2010-04-01/Accounts/{account}/Messages",
        ),
        (r"/restapi/oauth/token", "/restapi/oauth/token"),
        (r"/api/messaging/messages/(?P<id>[^/]+)", "/api/messaging/messages/{id}"),
        (r"/a/(?P<x>(?:b|c)+)/d", "/a/{x}/d"),
    ],
)
def test_route_templates(pattern: str, expected: str) -> None:
    assert template(pattern) == expected


def test_operations_fall_back_to_the_path() -> None:
    ops = Operations(VENDORS)
    assert ops.of("signalwire", "GET", "/no/such") == "GET /no/such"
    assert ops.of("nobody", "GET", "/x") == "GET /x"


def entry(
    time: float,
    body: bytes = b"To=1",
    auth: str = "Bearer a",
    error: str | None = None,
    session: str | None = "s",
    outcome: str = "passthrough",
    retry_after: float | None = None,
) -> JournalEntry:
    return JournalEntry(
        time=time,
        session=session,
        vendor="signalwire",
        method="POST",
        path="/2010-04-01/Accounts/P/Messages.json",
        raw_query=(),
        raw_headers=(("Authorization", auth), ("X-Mock-Session", "s")),
        raw_body=body,
        rule=None,
        reason="",
        outcome=outcome,
        status=400 if error else 201,
        latency_ms=0.0,
        error=error,
        retry_after=retry_after,
    )


def test_fingerprints_tell_changed_requests_and_new_credentials() -> None:
    base = entry(0)
    assert request_fingerprint(base) == request_fingerprint(entry(1, auth="Bearer b"))
    assert request_fingerprint(base) != request_fingerprint(entry(0, body=b"To=2"))
    assert credential_fingerprint(base) == credential_fingerprint(entry(1, body=b"x"))
    assert credential_fingerprint(base) != credential_fingerprint(entry(0, auth="Bearer b"))
    assert "a" not in str(credential_fingerprint(entry(0, auth="a")))


def test_the_report_judges_within_a_session_and_skips_callbacks(catalog: Catalog) -> None:
    entries = [
        entry(0, error="21211"),
        entry(1, session="other"),  # another client's request says nothing of this one
        entry(2, outcome="callback_attempt"),
    ]
    report = build_report(entries, catalog, VENDORS)
    (served,) = report["errors"]
    assert (served["key"], served["code"], served["status"], served["served"]) == (
        "21211",
        "21211",
        400,
        1,
    )
    assert served["occurrences"][0]["verdict"] == "unknown"
    assert report["summary"]["sessions"] == 2


def test_coverage_lists_are_bounded(catalog: Catalog) -> None:
    report = build_report([entry(0, error="21211"), entry(1)], catalog, VENDORS)
    (operation,) = report["coverage"]["signalwire"]["operations"].values()
    validation = operation["not_exercised"]["validation"]
    assert len(validation) == NOT_EXERCISED_SHOWN + 1
    assert "21211" not in validation
    entries = catalog.vendor("signalwire").entries
    total = sum(1 for e in entries if "validation" in e.tags and e.error and e.delivery == "sync")
    assert validation[-1] == f"+{total - 1 - NOT_EXERCISED_SHOWN} more"
    assert operation["served"] == {"21211": 1}


def test_an_error_the_catalog_lacks_is_judged_as_not_retryable(catalog: Catalog) -> None:
    report = build_report([entry(0, error="nope"), entry(1, body=b"To=2")], catalog, VENDORS)
    assert report["errors"][0]["occurrences"][0]["verdict"] == "ok"
    assert report["errors"][0]["tags"] == []


def test_a_token_requests_grant_is_part_of_its_credential() -> None:
    def token_request(grant: bytes) -> JournalEntry:
        return replace(
            entry(0, body=grant),
            path="/restapi/oauth/token",
            raw_headers=(
                ("Authorization", "Basic Y2xpZW50OnNlY3JldA=="),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ),
        )

    old = token_request(b"grant_type=refresh_token&refresh_token=old")
    new = token_request(b"grant_type=refresh_token&refresh_token=new")
    assert credential_fingerprint(old) != credential_fingerprint(new)
