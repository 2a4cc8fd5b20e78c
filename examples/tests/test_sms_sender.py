"""The example SMS clients against mockserver: every failure a vendor can throw at them.

Each test gets its own mock session (the `mock` fixture of mockserver's pytest plugin), so the
rules a test loads and the requests it counts are its own, also under `pytest -n auto`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sms_sender import (
    DeliveryStatus,
    RetryPolicy,
    RingCentralSms,
    SignalWireSms,
    SmsError,
    SmsProtocolError,
    SmsRejected,
    SmsUnavailable,
    retry_after_seconds,
)
from sms_sender.naive import NaiveSignalWireSms

from mockserver.testing import sweep

if TYPE_CHECKING:
    from conftest import StatusReceiver

# the Compatibility API "create message" path, whatever the project id
MESSAGES = {"glob": "/2010-04-01/Accounts/*/Messages.json"}
SEND = {"vendor": "signalwire", "method": "POST", "path": MESSAGES}
RC_SMS = {
    "vendor": "ringcentral",
    "method": "POST",
    "path": "/restapi/v1.0/account/~/extension/~/sms",
}
RC_TOKEN = {"vendor": "ringcentral", "method": "POST", "path": "/restapi/oauth/token"}
TO = "+15550100001"


@pytest.fixture
def signalwire(mock: Any, policy: RetryPolicy, sleeps: list[float]) -> SignalWireSms:
    """The client under test, pointed at this test's mock session."""
    return SignalWireSms(
        mock.url_for("signalwire"),
        **mock.credentials("signalwire"),
        policy=policy,
        sleep=sleeps.append,
    )


@pytest.fixture
def ringcentral(mock: Any, policy: RetryPolicy, sleeps: list[float]) -> RingCentralSms:
    """The RingCentral client under test, pointed at this test's mock session."""
    return RingCentralSms(
        mock.url_for("ringcentral"),
        **mock.credentials("ringcentral"),
        policy=policy,
        sleep=sleeps.append,
    )


# --- SignalWire: the happy path ------------------------------------------------------------


def test_send_returns_the_queued_message(mock: Any, signalwire: SignalWireSms) -> None:
    message = signalwire.send(TO, "hello")
    assert message["status"] == "queued"
    assert message["to"] == TO
    mock.assert_requests(1, **SEND)


# --- throttling ----------------------------------------------------------------------------


def test_rate_limited_then_recovers(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float], scenarios_dir: Path
) -> None:
    # sends 3, 4 and 5 get 429 20429 with Retry-After: 2; sends from the 6th on pass
    mock.load_scenario(scenarios_dir / "signalwire" / "rate-limited-then-recovers.yaml")
    sids = [signalwire.send(TO, f"hello {i}")["sid"] for i in range(4)]
    assert len(set(sids)) == 4  # every message sent, none twice
    # the 3rd message was throttled three times: 4 + 3 requests, and three waits of at
    # least the Retry-After the server asked for
    mock.assert_requests(7, **SEND)
    assert len(sleeps) == 3
    assert all(2.0 <= wait <= 5.0 for wait in sleeps), sleeps
    statuses = [r["status"] for r in mock.requests(vendor="signalwire")]
    assert statuses == [201, 201, 429, 429, 429, 201, 201]


def test_retry_after_is_really_waited(mock: Any) -> None:
    # the real clock this time (1 s): the server sees the retry no earlier than it asked
    mock.inject("signalwire", "20429", match={"method": "POST"}, times=1, retry_after=1)
    client = SignalWireSms(
        mock.url_for("signalwire"),
        **mock.credentials("signalwire"),
        policy=RetryPolicy(base_delay=0.01, max_delay=2.0),
    )
    client.send(TO, "hello")
    first, second = mock.requests(vendor="signalwire")
    assert (first["status"], second["status"]) == (429, 201)
    assert second["time"] - first["time"] >= 1.0


def test_a_long_retry_after_is_capped(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float]
) -> None:
    # asked to come back in an hour, the client waits at most max_delay (5 s in the tests)
    mock.inject("signalwire", "20429", match={"method": "POST"}, times=1, retry_after=3600)
    signalwire.send(TO, "hello")
    assert sleeps == [5.0]
    mock.assert_requests(2, **SEND)


def test_gives_up_after_a_bounded_number_of_attempts(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float]
) -> None:
    mock.inject("signalwire", "20503", match={"method": "POST"})  # every send, forever
    with pytest.raises(SmsUnavailable) as failure:
        signalwire.send(TO, "hello")
    assert failure.value.status == 503
    mock.assert_requests(4, **SEND)  # RetryPolicy.max_attempts, not one more
    assert len(sleeps) == 3
    # exponential back-off with jitter: each wait within [b/2, b] of its doubling base
    for number, wait in enumerate(sleeps):
        base = 0.01 * 2**number
        assert base / 2 <= wait <= base, sleeps


# --- outages and broken connections --------------------------------------------------------


def test_outage_then_recovery(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float], scenarios_dir: Path
) -> None:
    # an HTML 503 page, 503 20503, 500 20500, then the service is back
    mock.load_scenario(scenarios_dir / "signalwire" / "outage-then-recovery.yaml")
    message = signalwire.send(TO, "hello")
    assert message["status"] == "queued"
    mock.assert_requests(4, **SEND)
    assert [r["status"] for r in mock.requests(vendor="signalwire")] == [503, 503, 500, 201]
    assert len(sleeps) == 3


def test_connection_reset_is_retried(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float], scenarios_dir: Path
) -> None:
    # the first two sends see a TCP reset before any answer
    mock.load_scenario(scenarios_dir / "signalwire" / "connection-reset.yaml")
    message = signalwire.send(TO, "hello")
    assert message["status"] == "queued"
    outcomes = [r["outcome"] for r in mock.requests(vendor="signalwire")]
    assert outcomes[:2] == ["fault", "fault"]
    mock.assert_requests(3, **SEND)
    assert len(sleeps) == 2


def test_malformed_success_is_not_taken_for_a_sent_message(
    mock: Any, signalwire: SignalWireSms, scenarios_dir: Path
) -> None:
    # a 2xx whose body is not JSON: the message may have gone out, so no blind resend
    mock.load_scenario(scenarios_dir / "signalwire" / "malformed-body.yaml")
    with pytest.raises(SmsProtocolError):
        signalwire.send(TO, "hello")
    mock.assert_requests(1, **SEND)


# --- the vendor says no: typed, never retried ----------------------------------------------


def test_invalid_destination_is_rejected_without_retry(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float], scenarios_dir: Path
) -> None:
    # +12025550199 gets 400 21211; every other number works
    mock.load_scenario(scenarios_dir / "signalwire" / "invalid-destination.yaml")
    with pytest.raises(SmsRejected) as rejected:
        signalwire.send("+12025550199", "hello")
    assert (rejected.value.code, rejected.value.status) == (21211, 400)
    assert rejected.value.message == "Invalid Called Phone Number"
    mock.assert_requests(1, **SEND)
    assert sleeps == []
    signalwire.send(TO, "the other messages still go out")
    mock.assert_requests(2, **SEND)


def test_magic_number_is_an_invalid_destination(
    mock: Any, signalwire: SignalWireSms, sleeps: list[float]
) -> None:
    # no rule needed: the mock's shipped defaults answer +15005550001 with 21211
    with pytest.raises(SmsRejected) as rejected:
        signalwire.send("+15005550001", "hello")
    assert rejected.value.code == 21211
    mock.assert_requests(1, **SEND)
    assert sleeps == []


def test_injected_error_codes_surface_unchanged(mock: Any, signalwire: SignalWireSms) -> None:
    # any catalogued code, e.g. 21610 "Attempt to send to unsubscribed recipient"
    mock.inject("signalwire", "21610", match={"method": "POST"}, times=1)
    with pytest.raises(SmsRejected) as rejected:
        signalwire.send(TO, "hello")
    assert rejected.value.code == 21610
    mock.assert_requests(1, **SEND)


# --- delivery failures arrive later, in the status callback --------------------------------


def _settled_callbacks(mock: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
    """`mock.callbacks()` once every attempt has its answer (they are recorded as they end)."""
    deadline = time.monotonic() + timeout
    while True:
        sent = mock.callbacks()
        attempts = [a for c in sent for a in c["attempts"]]
        if sent and all(a["status"] is not None for a in attempts):
            return list(sent)
        if time.monotonic() > deadline:
            pytest.fail(f"callbacks still pending after {timeout}s: {sent}")
        time.sleep(0.05)


def test_delivery_failure_reported_by_callback(
    mock: Any, signalwire: SignalWireSms, status_receiver: StatusReceiver
) -> None:
    # +15005550010 is accepted (201), then reported undelivered with 30003
    message = signalwire.send("+15005550010", "hello", status_callback=status_receiver.url)
    assert message["status"] == "queued"  # accepted is not delivered
    received = status_receiver.wait_for(
        lambda forms: any(DeliveryStatus.from_form(f).failed for f in forms)
    )
    final = DeliveryStatus.from_form(received[-1])
    assert (final.sid, final.status, final.error_code) == (message["sid"], "undelivered", 30003)
    assert final.retry_later  # handset unreachable: may work later
    # the mock keeps what it sent too, e.g. for a run where nothing can listen for callbacks
    sent = _settled_callbacks(mock)
    assert [c["event"] for c in sent] == ["sent", "undelivered 30003"]
    assert {c["url"] for c in sent} == {status_receiver.url}
    assert [a["status"] for c in sent for a in c["attempts"]] == [204, 204]


def test_delivery_failure_scenario(
    mock: Any, signalwire: SignalWireSms, status_receiver: StatusReceiver, scenarios_dir: Path
) -> None:
    # the first three messages fail in their callbacks: 30003, 30005, 30007
    mock.load_scenario(scenarios_dir / "signalwire" / "delivery-failure-callback.yaml")
    sids = [
        signalwire.send(TO, f"hello {i}", status_callback=status_receiver.url)["sid"]
        for i in range(4)
    ]

    def finals(forms: list[dict[str, str]]) -> dict[str, DeliveryStatus]:
        decoded = (DeliveryStatus.from_form(f) for f in forms)
        return {s.sid: s for s in decoded if s.status in ("delivered", "undelivered", "failed")}

    status_receiver.wait_for(lambda forms: len(finals(forms)) == 4)
    final = finals(status_receiver.received)
    assert [final[sid].error_code for sid in sids] == [30003, 30005, 30007, None]
    assert [final[sid].retry_later for sid in sids] == [True, False, False, False]
    assert final[sids[3]].status == "delivered"


# --- RingCentral: JWT login, token expiry ---------------------------------------------------


def test_ringcentral_logs_in_with_jwt_then_sends(mock: Any, ringcentral: RingCentralSms) -> None:
    record = ringcentral.send(TO, "hello")
    assert record["to"][0]["phoneNumber"] == TO
    jwt_grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    mock.assert_requests(1, **RC_TOKEN, form={"grant_type": jwt_grant})
    mock.assert_requests(1, **RC_SMS)


def test_token_expires_mid_run(mock: Any, ringcentral: RingCentralSms, scenarios_dir: Path) -> None:
    # the 3rd send gets 401 OAU-128 "Access token expired." once
    mock.load_scenario(scenarios_dir / "ringcentral" / "token-expires-mid-run.yaml")
    ids = [ringcentral.send(TO, f"hello {i}")["id"] for i in range(4)]
    assert len(set(ids)) == 4
    mock.assert_requests(1, **RC_TOKEN, form={"grant_type": "refresh_token"})  # refreshed once
    mock.assert_requests(5, **RC_SMS)  # 4 messages, the 3rd sent again once
    calls = [
        (r["path"].rsplit("/", 1)[-1], r["status"]) for r in mock.requests(vendor="ringcentral")
    ]
    assert calls == [
        ("token", 200),
        ("sms", 200),
        ("sms", 200),
        ("sms", 401),
        ("token", 200),
        ("sms", 200),
        ("sms", 200),
    ]


def test_token_expiry_injected_inline(mock: Any, ringcentral: RingCentralSms) -> None:
    mock.inject("ringcentral", "OAU-128", match=RC_SMS, times=1)
    ringcentral.send(TO, "hello")
    mock.assert_requests(1, **RC_TOKEN, form={"grant_type": "refresh_token"})
    mock.assert_requests(2, **RC_SMS)


def test_token_refresh_never_loops(mock: Any, ringcentral: RingCentralSms) -> None:
    # the token "expires" on every send: one refresh, one retry, then a clear failure
    mock.inject("ringcentral", "OAU-128", match=RC_SMS)
    with pytest.raises(SmsRejected) as rejected:
        ringcentral.send(TO, "hello")
    assert (rejected.value.code, rejected.value.status) == ("OAU-128", 401)
    mock.assert_requests(1, **RC_TOKEN, form={"grant_type": "refresh_token"})
    mock.assert_requests(2, **RC_SMS)


def test_ringcentral_rate_limited_then_recovers(
    mock: Any, ringcentral: RingCentralSms, sleeps: list[float], scenarios_dir: Path
) -> None:
    # sends 3-5 get CMN-301 (429, Retry-After: 2)
    mock.load_scenario(scenarios_dir / "ringcentral" / "rate-limited-then-recovers.yaml")
    for i in range(3):
        ringcentral.send(TO, f"hello {i}")
    mock.assert_requests(6, **RC_SMS)
    assert len(sleeps) == 3
    assert all(wait >= 2.0 for wait in sleeps)


def test_ringcentral_invalid_number_is_rejected(mock: Any, ringcentral: RingCentralSms) -> None:
    # shipped magic number: 400 CMN-101
    with pytest.raises(SmsRejected) as rejected:
        ringcentral.send("+15005550001", "hello")
    assert (rejected.value.code, rejected.value.status) == ("CMN-101", 400)
    mock.assert_requests(1, **RC_SMS)


# --- error sweeps: every catalogued error of an operation, one test (and session) each -----

# SignalWire's retryable errors of "send a message" (20429, 20500, 20503, 90000)
RETRYABLE = sweep("signalwire", "POST", MESSAGES["glob"], retryable=True, exclude_tags=["voice"])
# ...and the validation errors it answers at once: each must reach the caller, never resent
INVALID = sweep("signalwire", "POST", MESSAGES["glob"], tags=["validation"], retryable=False)


@pytest.fixture
def patient(mock: Any) -> SignalWireSms:
    """The client with real waits (short ones), so the server sees what production would."""
    policy = RetryPolicy(max_attempts=4, base_delay=0.2, max_delay=2.0)
    return SignalWireSms(
        mock.url_for("signalwire"), **mock.credentials("signalwire"), policy=policy
    )


@pytest.mark.parametrize("error", RETRYABLE)
def test_every_retryable_send_error_ends_in_delivery(
    mock: Any, patient: SignalWireSms, error: Any
) -> None:
    mock.serve_once(error, retry_after=1)  # the vendor asks for 1 s where it sends Retry-After
    assert patient.send(TO, "hello")["status"] == "queued"
    mock.assert_requests(2, **SEND)
    mock.assert_no_bad_verdicts()  # waited as asked, or backed off


@pytest.mark.parametrize("error", INVALID)
def test_every_validation_error_is_raised_not_resent(
    mock: Any, patient: SignalWireSms, error: Any
) -> None:
    mock.serve_once(error)
    with pytest.raises(SmsRejected) as rejected:
        patient.send(TO, "hello")
    assert str(rejected.value.code) == error.code  # 21211, or a /api/* string code
    patient.send("+15550100002", "the next message goes out")  # a new request, not a resend
    mock.assert_requests(2, **SEND)
    assert mock.verdicts()["summary"] | {"by_tag": {}} == {
        "served": 1,
        "ok": 1,
        "bad": 0,
        "unknown": 0,
        "sessions": 1,
        "by_tag": {},
    }


# --- what not to do: the naive client ------------------------------------------------------


def test_naive_client_resends_what_the_vendor_refused(mock: Any) -> None:
    # the magic number is invalid on every send: the naive client asks three times anyway
    naive = NaiveSignalWireSms(mock.url_for("signalwire"), **mock.credentials("signalwire"))
    with pytest.raises(SmsError):
        naive.send("+15005550001", "hello")
    mock.assert_requests(3, **SEND)
    # the report says what was wrong with it
    (error,) = mock.verdicts()["errors"]
    assert (error["key"], error["served"]) == ("21211", 3)
    assert {o["verdict"] for o in error["occurrences"]} == {"bad"}


def test_naive_client_ignores_retry_after(mock: Any) -> None:
    # asked to wait 2 s, the naive client sends again at once (and gets through this time)
    mock.inject("signalwire", "20429", match={"method": "POST"}, times=1, retry_after=2)
    naive = NaiveSignalWireSms(mock.url_for("signalwire"), **mock.credentials("signalwire"))
    assert naive.send(TO, "hello")["status"] == "queued"
    mock.assert_requests(2, **SEND)
    with pytest.raises(AssertionError, match=r"20429 on POST .*/Messages.json retried after"):
        mock.assert_no_bad_verdicts()


# --- the pieces, without a server ----------------------------------------------------------


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    now = time.time()
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 30))
    assert 28.0 <= (retry_after_seconds(date, now=lambda: now) or 0) <= 30.0
