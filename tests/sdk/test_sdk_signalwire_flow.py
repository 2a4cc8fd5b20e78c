"""The real twilio and signalwire-sdk clients send, fetch, page and fail against the mock."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from signalwire.rest import RestClient
from signalwire.rest._base import SignalWireRestError
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from mockserver.settings import Settings
from mockserver.testing import ServerThread

pytestmark = pytest.mark.sdk
TO, FROM = "+15550100001", "+15550100002"
DELAY = 0.05


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    """This module's own server: lifecycles end after 50 ms."""
    with ServerThread(Settings(delivery_delay=DELAY)) as running:
        yield running


@pytest.fixture
def project() -> str:
    """A fresh project per test: the project id is the session, so tests never share data."""
    return str(uuid.uuid4())


def twilio(server: ServerThread, project: str, prefix: str = "") -> Client:
    client = Client(project, "api-token")
    client.api.base_url = f"{server.url}/signalwire{prefix}"
    return client


@pytest.mark.parametrize("prefix", ["", "/api/laml"])
def test_twilio_sends_and_fetches(server: ServerThread, project: str, prefix: str) -> None:
    client = twilio(server, project, prefix)
    sent = client.messages.create(to=TO, from_=FROM, body="hello from CI")
    assert (sent.status, sent.account_sid, sent.to, sent.from_) == ("queued", project, TO, FROM)
    assert sent.date_created is not None
    assert sent.date_sent is None
    time.sleep(DELAY * 4)
    fetched = client.messages(sent.sid).fetch()
    assert (fetched.sid, fetched.status, fetched.error_code) == (sent.sid, "delivered", None)
    assert fetched.date_sent is not None
    assert fetched.num_segments == 1
    assert client.messages(sent.sid).delete() is True


def test_twilio_pages_through_25_messages(server: ServerThread, project: str) -> None:
    client = twilio(server, project)
    for index in range(25):
        client.messages.create(to=TO, from_=FROM, body=f"m{index}")
    streamed = [m.body for m in client.messages.stream(page_size=10)]
    assert streamed == [f"m{index}" for index in reversed(range(25))]
    assert len(client.messages.list(limit=12, page_size=10)) == 12
    first = client.messages.page(page_size=10)
    second = first.next_page()
    third = second.next_page()
    assert [len(list(p)) for p in (first, second, third)] == [10, 10, 5]
    assert third.next_page() is None
    back = third.previous_page()
    assert [m.body for m in back] == [f"m{index}" for index in range(14, 4, -1)]


def test_twilio_sees_21211_for_a_bad_number(server: ServerThread, project: str) -> None:
    client = twilio(server, project)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="555-0100", from_=FROM, body="hi")
    assert (info.value.status, info.value.code) == (400, 21211)
    assert "Invalid Called Phone Number" in info.value.msg


def test_twilio_sees_the_http_status_for_a_bad_call(server: ServerThread, project: str) -> None:
    """POST Calls 400 is SignalWire's errors array: twilio finds no top-level code or message."""
    client = twilio(server, project)
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to="555-0100", from_=FROM, url="https://example.com/cxml")
    assert (info.value.status, info.value.code) == (400, 400)
    assert "Invalid Called Phone Number" not in info.value.msg
    account = client.api.account.fetch()
    assert (account.auth_token, account.type) == ("redacted", "Full")


def test_twilio_wrong_account_is_20003(server: ServerThread, project: str) -> None:
    client = twilio(server, project)
    with pytest.raises(TwilioRestException) as info:
        client.api.v2010.accounts(str(uuid.uuid4())).messages.create(to=TO, from_=FROM, body="x")
    assert (info.value.status, info.value.code) == (401, 20003)


def test_twilio_calls_and_account(server: ServerThread, project: str) -> None:
    client = twilio(server, project)
    call = client.calls.create(to=TO, from_=FROM, url="https://example.com/cxml")
    assert call.status == "queued"
    time.sleep(DELAY * 4)
    done = client.calls(call.sid).fetch()
    assert done.status == "completed"
    assert int(done.duration) > 0
    assert [c.sid for c in client.calls.list()] == [call.sid]
    account = client.api.account.fetch()
    assert (account.sid, account.status) == (project, "active")


def test_twilio_updates_calls(project: str) -> None:
    # a hand-moved clock: calls ring at 25 s, are answered at 50 s, would end at 100 s
    moved = [1_700_000_000.0]
    with ServerThread(Settings(delivery_delay=100.0)) as slow:
        slow.services.env.clock = lambda: moved[0]
        client = twilio(slow, project)
        ringing = client.calls.create(to=TO, from_=FROM, url="https://example.com/cxml")
        assert client.calls(ringing.sid).update(status="canceled").status == "canceled"
        live = client.calls.create(to=TO, from_=FROM, twiml="<Response/>")
        moved[0] += 60
        redirected = client.calls(live.sid).update(url="https://example.com/next", method="GET")
        assert redirected.status == "in-progress"
        with pytest.raises(TwilioRestException) as info:
            client.calls(live.sid).update(status="canceled")
        assert (info.value.status, info.value.code) == (400, 21220)
        hung_up = client.calls(live.sid).update(status="completed")
        assert (hung_up.status, hung_up.duration) == ("completed", 10)  # an integer (spec)
        moved[0] += 3600
        assert client.calls(live.sid).fetch().status == "completed"
        with pytest.raises(TwilioRestException) as info:
            client.calls(live.sid).update(twiml="<Response><Hangup/></Response>")
        assert (info.value.status, info.value.code) == (400, 21220)


def signalwire(server: ServerThread, project: str) -> RestClient:
    return RestClient(
        project=project, token="api-token", host=f"127.0.0.1:{server.port}/signalwire"
    )


def test_signalwire_sdk_sends_and_gets_it_back(server: ServerThread, project: str) -> None:
    client = signalwire(server, project)
    sent = client.messages.create(to=TO, from_=FROM, body="hello")
    assert (sent["status"], sent["project_id"], sent["kind"]) == ("queued", project, "sms")
    time.sleep(DELAY * 4)
    logged = client.logs.messages.get(sent["id"])
    assert (logged["id"], logged["status"], logged["source"]) == (
        sent["id"],
        "delivered",
        "realtime_api",
    )
    redacted = client.messages.update(sent["id"], body="")
    assert redacted["body"] == ""


def test_signalwire_sdk_paginates_logs_of_both_apis(server: ServerThread, project: str) -> None:
    client = signalwire(server, project)
    for index in range(4):
        client.messages.create(to=TO, from_=FROM, body=f"rest {index}")
    twilio(server, project).messages.create(to=TO, from_=FROM, body="compat")
    logs = list(client.logs.messages.paginate(page_size=2))
    assert len(logs) == 5
    assert {log["type"] for log in logs} == {"relay_message", "laml_message"}


def test_signalwire_sdk_sees_the_rest_validation_error(server: ServerThread, project: str) -> None:
    client = signalwire(server, project)
    with pytest.raises(SignalWireRestError) as info:
        client.messages.create(to="12", from_=FROM, body="hi")
    assert info.value.status_code == 422
    assert info.value.body["errors"][0]["code"] == "21211"
    assert info.value.body["errors"][0]["attribute"] == "to"
