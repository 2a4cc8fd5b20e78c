"""The official `ringcentral` SDK runs a whole flow against the mock: login, SMS, store, refresh."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

from mockserver.settings import Settings
from mockserver.testing import ServerThread

pytestmark = pytest.mark.sdk

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"
EXT = "/restapi/v1.0/account/~/extension/~"
SMS = EXT + "/sms"
STORE = EXT + "/message-store"


def _platform(server: ServerThread, client_id: str = "sdk-client") -> Any:
    sdk = SDK(client_id, "sdk-secret", server.url + "/ringcentral")
    return sdk.platform()


@pytest.fixture(scope="module")
def short_ttl() -> Iterator[ServerThread]:
    with ServerThread(Settings(token_ttl=1, delivery_delay=0.2)) as running:
        yield running


def test_login_send_list_and_fetch(server: ServerThread) -> None:
    platform = _platform(server)
    platform.login(jwt=JWT)
    assert platform.logged_in()
    owner = platform.auth().data()["owner_id"]
    assert str(platform.get(EXT).json_dict()["id"]) == owner
    # the official quick start: send from the first number with the SmsSender feature
    numbers = platform.get(EXT + "/phone-number").json().records
    sender = next(n.phoneNumber for n in numbers if "SmsSender" in n.features)
    body = {"from": {"phoneNumber": sender}, "to": [{"phoneNumber": "+16505550101"}], "text": "hi"}
    sent = platform.post(SMS, body).json_dict()
    assert sent["messageStatus"] == "Queued"
    assert sent["from"]["phoneNumber"] == sender
    assert f"/extension/{owner}/message-store/" in sent["uri"]
    listed = platform.get(STORE, {"messageType": "SMS", "perPage": 10}).json_dict()
    assert sent["id"] in [r["id"] for r in listed["records"]]
    fetched = platform.get(f"{STORE}/{sent['id']}").json_dict()
    assert fetched["subject"] == "hi"
    assert fetched["messageStatus"] in ("Queued", "Sent", "Delivered")


def test_validation_error_reaches_the_sdk_exception(server: ServerThread) -> None:
    platform = _platform(server)
    platform.login(jwt=JWT)
    with pytest.raises(ApiException) as info:
        platform.post(SMS, {"from": {"phoneNumber": "+16505550100"}, "text": "no recipient"})
    response = info.value.api_response()
    assert response.response().status_code == 400
    assert response.json_dict()["errors"][0] == {
        "errorCode": "CMN-101",
        "message": "Parameter [to] value is invalid.",
        "parameterName": "to",
    }


def test_logout_revokes_the_token(server: ServerThread) -> None:
    platform = _platform(server)
    platform.login(jwt=JWT)
    token = platform.auth().access_token()
    platform.logout()
    resp = requests.get(
        f"{server.url}/ringcentral{STORE}", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert resp.status_code == 401
    body = resp.json()
    assert (body["errorCode"], body["errors"][0]["errorCode"]) == ("TokenInvalid", "OAU-213")


def test_expired_token_is_oau_128_and_refresh_recovers(short_ttl: ServerThread) -> None:
    platform = _platform(short_ttl)
    platform.login(jwt=JWT)
    first = platform.auth().data()
    assert first["expires_in"] == 1
    assert first["refresh_token_expires_in"] == 168
    time.sleep(1.2)
    expired = requests.get(
        f"{short_ttl.url}/ringcentral{STORE}",
        headers={"Authorization": f"bearer {first['access_token']}"},
        timeout=10,
    )
    assert expired.status_code == 401
    assert expired.json() == {
        "errorCode": "OAU-128",
        "message": "Access token expired.",
        "errors": [{"errorCode": "OAU-128", "message": "Access token expired."}],
    }
    assert not platform.auth().access_token_valid()
    platform.refresh()
    second = platform.auth().data()
    assert second["access_token"] != first["access_token"]
    assert second["owner_id"] == first["owner_id"]
    records = platform.get(STORE).json_dict()["records"]
    assert records == []


def test_sdk_refreshes_by_itself_before_a_call(short_ttl: ServerThread) -> None:
    platform = _platform(short_ttl, "auto-refresh")
    platform.login(jwt=JWT)
    old = platform.auth().access_token()
    time.sleep(1.2)
    assert platform.get(STORE).ok()  # _ensure_authentication refreshes the expired token first
    assert platform.auth().access_token() != old
