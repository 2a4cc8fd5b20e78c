"""The issue's "Done when": scripted clients over HTTP, and the verdicts GET /__admin/report gives.

Real, bounded sleeps (at most 1.2 s) stand for a client that waits; nothing here depends on
how fast the server answers.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient
from pydantic import TypeAdapter

from mockserver.verdicts.report import Report

PROJECT = "6b1f3d2e-0000-4000-8000-00000000abcd"
SW_AUTH = {"Authorization": "Basic " + base64.b64encode(f"{PROJECT}:PT-token".encode()).decode()}
SW_SEND = f"/signalwire/2010-04-01/Accounts/{PROJECT}/Messages.json"
SW_OPERATION = "POST /2010-04-01/Accounts/{account}/Messages"
SW_FORM = {"To": "+15550100001", "From": "+15550100002", "Body": "hello"}
SW_INVALID_TO = "+15005550001"  # the magic value answered with 21211

RC = "/ringcentral/restapi"
RC_SMS = RC + "/v1.0/account/~/extension/~/sms"
RC_OPERATION = "POST /restapi/v1.0/account/{accountId}/extension/{extensionId}/sms"
RC_BASIC = {"Authorization": "Basic " + base64.b64encode(b"client-a:secret").decode()}
RC_JWT = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "e.e30.c"}


def rc_sms(text: str = "hello") -> dict[str, Any]:
    return {
        "from": {"phoneNumber": "+16505550100"},
        "to": [{"phoneNumber": "+16505550101"}],
        "text": text,
    }


class Script:
    """A scripted client in its own session."""

    def __init__(self, client: TestClient, session: str) -> None:
        self.client = client
        self.session = session

    async def sw(self, to: str = SW_FORM["To"], **headers: str) -> int:
        data = {**SW_FORM, "To": to}
        all_headers = {**SW_AUTH, "X-Mock-Session": self.session, **headers}
        resp = await self.client.post(SW_SEND, data=data, headers=all_headers)
        return resp.status

    async def token(self) -> str:
        headers = {**RC_BASIC, "X-Mock-Session": self.session}
        resp = await self.client.post(RC + "/oauth/token", data=RC_JWT, headers=headers)
        assert resp.status == 200
        return str((await resp.json())["access_token"])

    async def rc(self, token: str, text: str = "hello", **headers: str) -> int:
        all_headers = {"Authorization": f"Bearer {token}", "X-Mock-Session": self.session}
        resp = await self.client.post(RC_SMS, json=rc_sms(text), headers={**all_headers, **headers})
        return resp.status

    async def report(self) -> Report:
        resp = await self.client.get(f"/__admin/report?session={self.session}")
        assert resp.status == 200
        body: Report = await resp.json()
        return body

    async def first(self, key: str) -> dict[str, Any]:
        """The first occurrence of `key` in this session's report."""
        report = await self.report()
        errors = [e for e in report["errors"] if e["key"] == key]
        assert errors, report
        return dict(errors[0]["occurrences"][0])


async def test_signalwire_rate_limit_waited_out_is_ok(client: TestClient) -> None:
    script = Script(client, "sw-wait-ok")
    assert await script.sw(**{"X-Mock-Error": "20429", "X-Mock-Retry-After": "1"}) == 429
    await asyncio.sleep(1.2)
    assert await script.sw() == 201
    found = await script.first("20429")
    assert found["verdict"] == "ok"
    assert found["operation"] == SW_OPERATION
    assert found["behaviour"].endswith("vendor asked 1 s")


async def test_signalwire_rate_limit_retried_too_soon_is_bad(client: TestClient) -> None:
    script = Script(client, "sw-wait-bad")
    assert await script.sw(**{"X-Mock-Error": "20429", "X-Mock-Retry-After": "2"}) == 429
    await asyncio.sleep(0.1)
    assert await script.sw() == 201
    found = await script.first("20429")
    assert found["verdict"] == "bad"
    assert found["behaviour"].startswith("retried after 0.")
    assert found["behaviour"].endswith("vendor asked 2 s")


async def test_signalwire_invalid_number_repeated_unchanged_is_bad(client: TestClient) -> None:
    script = Script(client, "sw-repeat")
    for _ in range(4):
        assert await script.sw(SW_INVALID_TO) == 400
    report = await script.report()
    occurrences = report["errors"][0]["occurrences"]
    assert report["errors"][0]["key"] == "21211"
    assert occurrences[0]["behaviour"] == "repeated unchanged 3 times"
    assert {o["verdict"] for o in occurrences} == {"bad"}
    assert report["summary"]["bad"] == 4


async def test_signalwire_invalid_number_not_repeated_is_ok(client: TestClient) -> None:
    script = Script(client, "sw-changed")
    assert await script.sw(SW_INVALID_TO) == 400
    assert await script.sw() == 201
    assert (await script.first("21211"))["verdict"] == "ok"


async def test_ringcentral_rate_limit_waited_out_is_ok(client: TestClient) -> None:
    script = Script(client, "rc-wait-ok")
    token = await script.token()
    assert await script.rc(token, **{"X-Mock-Error": "CMN-301", "X-Mock-Retry-After": "1"}) == 429
    await asyncio.sleep(1.2)
    assert await script.rc(token) == 200
    found = await script.first("CMN-301")
    assert (found["verdict"], found["operation"]) == ("ok", RC_OPERATION)


async def test_ringcentral_rate_limit_retried_too_soon_is_bad(client: TestClient) -> None:
    script = Script(client, "rc-wait-bad")
    token = await script.token()
    assert await script.rc(token, **{"X-Mock-Error": "CMN-301", "X-Mock-Retry-After": "2"}) == 429
    await asyncio.sleep(0.1)
    assert await script.rc(token) == 200
    assert (await script.first("CMN-301"))["verdict"] == "bad"


async def test_ringcentral_natural_validation_error_repeated_is_bad(client: TestClient) -> None:
    script = Script(client, "rc-repeat")
    token = await script.token()
    for _ in range(4):  # over 1000 characters: the handler's own MSG-338
        assert await script.rc(token, "x" * 1001) == 400
    found = await script.first("MSG-338")
    assert (found["verdict"], found["behaviour"]) == ("bad", "repeated unchanged 3 times")


async def test_ringcentral_natural_validation_error_fixed_is_ok(client: TestClient) -> None:
    script = Script(client, "rc-changed")
    token = await script.token()
    assert await script.rc(token, "x" * 1001) == 400
    assert await script.rc(token, "x" * 1000) == 200
    assert (await script.first("MSG-338"))["verdict"] == "ok"


@pytest.mark.parametrize(("refresh", "verdict"), [(True, "ok"), (False, "bad")])
async def test_ringcentral_expired_token(client: TestClient, refresh: bool, verdict: str) -> None:
    script = Script(client, f"rc-expired-{refresh}")
    token = await script.token()
    assert await script.rc(token, **{"X-Mock-Error": "OAU-128"}) == 401
    if refresh:
        token = await script.token()
    assert await script.rc(token) == 200
    assert (await script.first("OAU-128"))["verdict"] == verdict


async def test_nothing_after_the_error_is_unknown(client: TestClient) -> None:
    script = Script(client, "sw-alone")
    assert await script.sw(SW_INVALID_TO) == 400
    found = await script.first("21211")
    assert (found["verdict"], found["behaviour"]) == ("unknown", "no later request")


async def test_the_report_has_its_documented_shape(client: TestClient) -> None:
    script = Script(client, "shape")
    assert await script.sw(SW_INVALID_TO) == 400
    assert await script.sw(**{"X-Mock-Fault": "html502"}) == 502
    assert await script.sw() == 201
    report = await script.report()
    TypeAdapter(Report).validate_python(report, strict=True)
    coverage = report["coverage"]["signalwire"]["operations"][SW_OPERATION]
    assert coverage["served"] == {"21211": 1, "fault:html502": 1}
    assert coverage["not_exercised"]["rate-limit"][0] == "20429"
    assert coverage["not_exercised"]["validation"][-1].endswith(" more")
    summary = report["summary"]
    assert (summary["served"], summary["ok"], summary["sessions"]) == (2, 2, 1)
    assert summary["by_tag"]["validation"] == {"ok": 1, "bad": 0, "unknown": 0}
    assert summary["by_tag"]["fault"] == {"ok": 1, "bad": 0, "unknown": 0}


async def test_a_session_filter_and_an_unknown_format(client: TestClient) -> None:
    assert await Script(client, "a").sw(SW_INVALID_TO) == 400
    report = await Script(client, "b").report()
    assert report["errors"] == []
    assert report["summary"]["sessions"] == 0
    resp = await client.get("/__admin/report?format=pdf")
    assert resp.status == 400
    assert resp.headers["X-Mock-Server-Error"] == "true"


async def test_every_format_is_served_with_its_media_type(client: TestClient) -> None:
    script = Script(client, "formats")
    assert await script.sw(**{"X-Mock-Error": "20429", "X-Mock-Retry-After": "2"}) == 429
    assert await script.sw(**{"X-Mock-Error": "20429", "X-Mock-Retry-After": "2"}) == 429
    for fmt, media, marker in (
        ("markdown", "text/markdown", "## Verdicts by vendor"),
        ("html", "text/html", "<svg"),
        ("text", "text/plain", "handled badly"),
    ):
        resp = await client.get(f"/__admin/report?session=formats&format={fmt}")
        assert resp.status == 200, fmt
        assert resp.content_type == media
        assert marker in await resp.text(), fmt


async def test_a_real_report_validates_against_the_json_schema(client: TestClient) -> None:
    schema_file = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"
    script = Script(client, "schema")
    assert await script.sw(SW_INVALID_TO) == 400
    assert await script.sw(**{"X-Mock-Error": "20429", "X-Mock-Retry-After": "1"}) == 429
    jsonschema.validate(await script.report(), json.loads(schema_file.read_text()))
