"""Signed-in `requests` sessions for every vendor, for tests that call each operation."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import requests

from mockserver.testing.thread import ServerThread
from mockserver.vendors import VENDORS

SESSION = "6b1f3d2e-0000-4000-8000-00000000c0de"  # SignalWire wants a project id's shape
# path arguments that name the caller's own account (or the session) rather than any id
OWN = {
    "ringcentral": {"accountId": "~", "extensionId": "~"},
    "signalwire": {"AccountSid": SESSION},
    "fonedynamics": {"AccountSid": SESSION},
}


@dataclass
class Client:
    """A vendor's base URL, a `requests` session and the credentials every request carries."""

    base: str
    http: requests.Session
    query: dict[str, str] = field(default_factory=dict)


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


def sign_in(server: ServerThread, vendor: str) -> Client:
    """A client signed in with the vendor's test credentials for SESSION."""
    creds = VENDORS[vendor].test_credentials(SESSION)
    client = Client(f"{server.url}/{vendor}", requests.Session())
    headers = client.http.headers
    if vendor == "ringcentral":
        got = client.http.post(
            client.base + "/restapi/oauth/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "x"},
            headers={"Authorization": _basic(creds["client_id"], creds["client_secret"])},
            timeout=10,
        )
        headers["Authorization"] = "Bearer " + got.json()["access_token"]
    elif vendor == "signalwire":
        headers["Authorization"] = _basic(creds["project"], creds["token"])
    elif vendor == "fonedynamics":
        headers["Authorization"] = _basic(creds["account_sid"], creds["token"])
    elif vendor == "webexconnect":
        headers["key"] = creds["service_key"]
    elif vendor == "yeastar":
        got = client.http.post(client.base + "/openapi/v1.0/get_token", json=creds, timeout=10)
        client.query["access_token"] = got.json()["access_token"]
    return client
