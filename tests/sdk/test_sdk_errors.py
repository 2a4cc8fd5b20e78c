"""Official SDKs (twilio, ringcentral, signalwire-sdk) parse our errors as they parse real ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from mockserver.testing import ServerThread

pytestmark = pytest.mark.sdk
PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"


class HeaderClient(TwilioHttpClient):
    """The twilio HTTP client plus fixed extra headers (the SDK has no per-call headers)."""

    def __init__(self, extra: dict[str, str]) -> None:
        super().__init__()
        self.extra = extra

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        kwargs["headers"] = {**(kwargs.get("headers") or {}), **self.extra}
        return super().request(method, url, *args, **kwargs)


def _twilio(server: ServerThread, prefix: str, code: str) -> Client:
    client = Client(PROJECT, "token", http_client=HeaderClient({"X-Mock-Error": code}))
    client.api.base_url = f"{server.url}/signalwire{prefix}"
    return client


@pytest.mark.parametrize("prefix", ["", "/api/laml"])
@pytest.mark.parametrize(
    ("code", "status"), [("21211", 400), ("20003", 401), ("20429", 429), ("21212", 400)]
)
def test_twilio_raises_rest_exception_with_our_code(
    server: ServerThread, prefix: str, code: str, status: int
) -> None:
    client = _twilio(server, prefix, code)
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="+15550100001", from_="+15550100002", body="hi")
    entry = server.services.catalog.get("signalwire", code)
    assert entry is not None
    assert info.value.code == int(code)
    assert info.value.status == status
    assert entry.message in info.value.msg
    assert info.value.uri.endswith("/Messages.json")


def test_twilio_fetch_not_found_is_20404(server: ServerThread) -> None:
    client = Client(PROJECT, "token")
    client.api.base_url = f"{server.url}/signalwire"
    with pytest.raises(TwilioRestException) as info:
        client.api.v2010.accounts(PROJECT).calls("CA123").fetch()
    assert info.value.status == 404
    assert info.value.code == 20404


def _ringcentral(server: ServerThread) -> Any:
    sdk = SDK("client-id", "client-secret", f"{server.url}/ringcentral")
    return sdk.platform()


@pytest.mark.parametrize(("code", "status"), [("CMN-102", 404), ("CMN-301", 429), ("CMN-401", 403)])
def test_ringcentral_api_exception_carries_error_code(
    server: ServerThread, code: str, status: int
) -> None:
    platform = _ringcentral(server)
    headers = {"X-Mock-Error": code, "X-Mock-Error-Status": str(status)}
    with pytest.raises(ApiException) as info:
        platform.get(
            "/restapi/v1.0/account/~/extension/~/message-store/1",
            headers=headers,
            skip_auth_check=True,
        )
    response = info.value.api_response()
    assert response.response().status_code == status
    body = response.json_dict()
    assert body["errorCode"] == code
    assert body["errors"][0]["errorCode"] == code
    assert response.response().headers["RCRequestId"]


@pytest.mark.parametrize(
    ("key", "path", "top"),
    [
        ("CMN-401/2", "/restapi/v1.0/account/~/extension/~/call-log", "InsufficientPermissions"),
        ("MSG-246", "/restapi/v1.0/account/~/extension/~/sms", "InvalidParameter"),
        ("CMN-101", "/analytics/calls/v1/accounts/~/aggregation/fetch", None),
    ],
)
def test_ringcentral_sdk_parses_the_captured_envelope_variants(
    server: ServerThread, key: str, path: str, top: str | None
) -> None:
    platform = _ringcentral(server)
    with pytest.raises(ApiException) as info:
        platform.post(path, body={}, headers={"X-Mock-Error": key}, skip_auth_check=True)
    body = info.value.api_response().json_dict()
    assert body.get("errorCode") == top  # analytics: no top-level fields at all
    assert body["errors"][0]["errorCode"] == key.split("/")[0]
    assert body["errors"][0]["errorCode"] in str(info.value)


def test_ringcentral_login_failure_is_oauth_shaped(server: ServerThread) -> None:
    platform = _ringcentral(server)
    with pytest.raises(ApiException) as info:
        platform.post(
            "/restapi/oauth/token",
            body={"grant_type": "password"},
            headers={"X-Mock-Error": "OAU-140"},
            skip_auth_check=True,
        )
    response = info.value.api_response()
    assert response.response().status_code == 400
    assert response.json_dict()["error"] == "invalid_grant"
    assert "OAU-140" in str(info.value)


def test_signalwire_sdk_keeps_our_body(server: ServerThread) -> None:
    from signalwire.rest import RestClient
    from signalwire.rest._base import SignalWireRestError

    # the SDK speaks plain HTTP to loopback hosts, so a host with our prefix is enough
    client = RestClient(project=PROJECT, token="token", host=f"127.0.0.1:{server.port}/signalwire")
    client._http._session.headers["X-Mock-Error"] = "21211"
    with pytest.raises(SignalWireRestError) as info:
        client.messages.create(to="+15550100001", from_="+15550100002", body="hi")
    err = info.value
    assert err.status_code == 422
    body = err.body if isinstance(err.body, dict) else json.loads(err.body)
    assert body["errors"][0]["code"] == "21211"
    assert err.request_id
