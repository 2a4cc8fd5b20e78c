"""Official SDKs drive operations the generic engine serves, and parse what it answers."""

from __future__ import annotations

import uuid

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException
from signalwire.rest import RestClient
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from mockserver.testing import ServerThread
from tests.sdk.test_sdk_ringcentral_flow import JWT

pytestmark = pytest.mark.sdk
EXT = "/restapi/v1.0/account/~/extension/~"


def test_twilio_manages_a_queue(server: ServerThread) -> None:
    client = Client(str(uuid.uuid4()), "api-token")
    client.api.base_url = f"{server.url}/signalwire"
    made = client.queues.create(friendly_name="support", max_size=10)
    assert (made.friendly_name, made.max_size) == ("support", 10)
    assert client.queues(made.sid).fetch().sid == made.sid
    assert [q.sid for q in client.queues.list()] == [made.sid]
    assert client.queues(made.sid).update(friendly_name="sales").friendly_name == "sales"
    assert client.queues(made.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        client.queues(made.sid).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)


def test_twilio_reads_seeded_numbers_and_pages_them(server: ServerThread) -> None:
    client = Client(str(uuid.uuid4()), "api-token")
    client.api.base_url = f"{server.url}/signalwire"
    owned = client.incoming_phone_numbers.list(page_size=1)
    assert owned
    assert all(n.phone_number.startswith("+") for n in owned)
    assert len(list(client.incoming_phone_numbers.stream(page_size=1))) >= 2


def test_signalwire_sdk_manages_a_video_room(server: ServerThread) -> None:
    client = RestClient(
        project=str(uuid.uuid4()), token="api-token", host=f"127.0.0.1:{server.port}/signalwire"
    )
    room = client.video.rooms.create(name="standup")
    assert room["name"] == "standup"
    assert client.video.rooms.get(room["id"])["id"] == room["id"]
    assert [r["id"] for r in client.video.rooms.paginate()] == [room["id"]]


def test_ringcentral_sdk_reads_presence_and_gets_cmn_102(server: ServerThread) -> None:
    platform = SDK("sdk-client", "sdk-secret", server.url + "/ringcentral").platform()
    platform.login(jwt=JWT)
    presence = platform.get(EXT + "/presence").json_dict()
    assert presence == platform.get(EXT + "/presence").json_dict()  # kept, not re-made
    with pytest.raises(ApiException) as info:
        platform.get("/restapi/v1.0/account/~/call-queues/4242")
    assert "CMN-102" in str(info.value.api_response().json_dict())
