"""A 401 carries the vendor's `WWW-Authenticate` challenge where the vendor sends one."""

from __future__ import annotations

import gc
import urllib.error
import urllib.request

import pytest
from aiohttp.test_utils import TestClient

from mockserver.testing import ServerThread

FD = "/fonedynamics/v2/Properties/PR0001/Messages"
SW = "/signalwire/2010-04-01/Accounts/6b1f3d2e-0000-4000-8000-00000000abcd/Messages.json"


@pytest.mark.parametrize(
    ("method", "path", "challenge"),
    [
        ("POST", FD, 'basic realm="/auth/basic"'),
        ("GET", "/fonedynamics/v2/Messages/MS1", 'basic realm="/auth/basic"'),
        ("POST", SW, 'Basic realm="SignalWire"'),
        ("GET", "/signalwire/api/messaging/messages", 'Basic realm="SignalWire"'),
    ],
)
async def test_basic_auth_vendors_challenge_a_401(
    client: TestClient, method: str, path: str, challenge: str
) -> None:
    resp = await client.request(method, path, json={"To": "+61400000100", "Text": "hi"})
    assert resp.status == 401
    assert resp.headers.getall("WWW-Authenticate") == [challenge]


# urllib leaves the socket of the challenged 401 for the garbage collector to close
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_client_that_waits_for_the_challenge_gets_in() -> None:
    # urllib's HTTPBasicAuthHandler, like Apache HttpClient, sends credentials only when
    # challenged: without the header it would give up on the 401
    with ServerThread() as server:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, server.url, "AC1", "token")
        opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
        with pytest.raises(urllib.error.HTTPError) as info:
            opener.open(server.url + "/fonedynamics/v2/Messages/MS1", timeout=10)
    with info.value as answer:
        # it got past auth: the message simply does not exist
        assert answer.code == 400
        assert b"MESSAGE_NOT_FOUND" in answer.read()
    gc.collect()  # here, where its warning is expected, not in the next test


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/ringcentral/restapi/v1.0/account/~/extension/~/sms", {}),  # bearer: none (docs)
        ("/webexconnect/resources/v1/messaging", {}),  # `key` header: no HTTP scheme to name
    ],
)
async def test_vendors_without_a_basic_challenge_send_none(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    resp = await client.post(path, json={}, headers=headers)
    assert resp.status == 401
    assert "WWW-Authenticate" not in resp.headers


async def test_other_statuses_carry_no_challenge(client: TestClient) -> None:
    resp = await client.post(FD, json={"To": "+61400000100"}, headers={"X-Mock-Error": "FORBIDDEN"})
    assert resp.status == 403
    assert "WWW-Authenticate" not in resp.headers
