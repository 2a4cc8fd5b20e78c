"""The generic engine end to end: CRUD per session, seeded world, vendor errors, no_endpoint."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

import mockserver.operations.engine as engine
from mockserver.operations.content import placeholder
from tests.test_happy_ringcentral import bearer, token_for

SW_AUTH = {"Authorization": "Basic " + base64.b64encode(b"project-a:token").decode()}
QUEUES = "/signalwire/api/laml/2010-04-01/Accounts/project-a/Queues.json"
RC = "/ringcentral/restapi/v1.0"


async def _json(client: TestClient, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    resp = await client.request(method, path, **kw)
    body = await resp.json(content_type=None) if await resp.read() else None
    return resp.status, body


async def test_compat_queue_lives_a_whole_lifecycle(client: TestClient) -> None:
    status, made = await _json(
        client, "POST", QUEUES, data={"FriendlyName": "support"}, headers=SW_AUTH
    )
    assert status == 201
    assert made["friendly_name"] == "support"
    one = QUEUES.replace(".json", f"/{made['sid']}.json")
    assert (await _json(client, "GET", one, headers=SW_AUTH)) == (200, made)
    status, listed = await _json(client, "GET", QUEUES, headers=SW_AUTH)
    assert status == 200
    assert [q["sid"] for q in listed["queues"]] == [made["sid"]]
    assert listed["page"] == 0
    assert listed["next_page_uri"] is None
    status, changed = await _json(
        client, "POST", one, data={"FriendlyName": "sales"}, headers=SW_AUTH
    )
    assert status == 200
    assert changed["friendly_name"] == "sales"
    assert (await client.delete(one, headers=SW_AUTH)).status == 204
    status, gone = await _json(client, "GET", one, headers=SW_AUTH)
    assert status == 404
    assert gone["code"] == 20404


async def test_sessions_do_not_see_each_others_resources(client: TestClient) -> None:
    mine = {**SW_AUTH, "X-Mock-Session": "a"}
    await client.post(QUEUES, data={"FriendlyName": "mine"}, headers=mine)
    status, listed = await _json(client, "GET", QUEUES, headers={**SW_AUTH, "X-Mock-Session": "b"})
    assert status == 200
    assert listed["queues"] == []


async def test_ringcentral_world_is_consistent(client: TestClient) -> None:
    auth = bearer(await token_for(client))
    _, me = await _json(client, "GET", f"{RC}/account/~/extension/~", headers=auth)
    _, account = await _json(client, "GET", f"{RC}/account/~", headers=auth)
    assert str(account["id"]) == str(me["account"]["id"])
    _, extensions = await _json(client, "GET", f"{RC}/account/~/extension", headers=auth)
    assert str(me["id"]) in [str(e["id"]) for e in extensions["records"]]
    assert extensions["paging"]["page"] == 1
    assert "navigation" in extensions
    _, numbers = await _json(client, "GET", f"{RC}/account/~/phone-number", headers=auth)
    _, own = await _json(client, "GET", f"{RC}/account/~/extension/~/phone-number", headers=auth)
    assert own["records"][0]["phoneNumber"] in [n["phoneNumber"] for n in numbers["records"]]


async def test_ringcentral_unknown_id_is_cmn_102_naming_the_parameter(client: TestClient) -> None:
    auth = bearer(await token_for(client))
    status, body = await _json(client, "GET", f"{RC}/account/~/call-queues/424242", headers=auth)
    assert status == 404
    assert body["errorCode"] == "CMN-102"
    assert body["errors"][0]["parameterName"] == "groupId"


async def test_generic_operation_needs_the_vendors_credentials(client: TestClient) -> None:
    status, body = await _json(client, "GET", f"{RC}/account/~/extension")
    assert status == 401
    assert body["errors"][0]["errorCode"] == "OAU-134"


async def test_injected_error_on_a_generic_operation_uses_its_family(client: TestClient) -> None:
    headers = {**SW_AUTH, "X-Mock-Error": "20429"}
    status, body = await _json(client, "GET", QUEUES, headers=headers)
    assert status == 429
    assert body["code"] == 20429
    assert "more_info" in body


async def test_unserved_path_is_journalled_as_no_endpoint(client: TestClient) -> None:
    await client.get("/signalwire/api/laml/2010-04-01/Nothing/here", headers=SW_AUTH)
    await client.get(QUEUES, headers=SW_AUTH)
    _, found = await _json(client, "GET", "/__admin/requests?outcome=no_endpoint")
    assert [r["path"] for r in found["requests"]] == ["/api/laml/2010-04-01/Nothing/here"]
    metrics = await (await client.get("/__admin/metrics")).text()
    assert 'outcome="no_endpoint"' in metrics


async def test_admin_lists_every_operation_and_who_serves_it(client: TestClient) -> None:
    status, page = await _json(client, "GET", "/__admin/catalog/signalwire/operations")
    assert status == 200
    assert page["count"] == 79 + 253
    served = {(o["method"], o["path"]): o["served_by"] for o in page["operations"]}
    assert served[("POST", "/api/laml/2010-04-01/Accounts/{AccountSid}/Messages")] == "hand"
    assert served[("GET", "/api/laml/2010-04-01/Accounts/{AccountSid}/Queues")] == "generic"
    assert page["hand"] + page["generic"] == page["count"]
    status, missing = await _json(client, "GET", "/__admin/catalog/nobody/operations")
    assert status == 404
    assert "signalwire" in missing["message"]


async def test_a_failing_handler_is_a_journalled_mock_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(turn: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setitem(engine.ACTIONS, "list", broken)
    resp = await client.get(QUEUES, headers=SW_AUTH)
    assert resp.status == 500
    assert resp.headers["X-Mock-Server-Error"] == "true"
    assert (await resp.json())["error"] == "mock_handler_failed"
    _, journal = await _json(client, "GET", "/__admin/requests?status=500")
    assert [r["path"] for r in journal["requests"]] == [QUEUES.removeprefix("/signalwire")]


async def test_yeastar_extension_from_the_list_is_fetched_by_id(client: TestClient) -> None:
    base = "/yeastar/openapi/v1.0"
    token = await (
        await client.post(f"{base}/get_token", json={"username": "api", "password": "secret"})
    ).json()
    auth = {"access_token": token["access_token"]}
    listed = await (await client.get(f"{base}/extension/list", params=auth)).json()
    first = listed["data"][0]
    got = await (
        await client.get(f"{base}/extension/get", params={**auth, "id": first["id"]})
    ).json()
    assert got["errcode"] == 0
    assert got["number"] == first["number"]
    missing = await (await client.get(f"{base}/extension/get", params={**auth, "id": 999})).json()
    assert missing == {"errcode": 60001, "errmsg": "DATA NOT FOUND"}


async def test_created_resource_links_back_to_itself(client: TestClient) -> None:
    auth = bearer(await token_for(client))
    contacts = f"{RC}/account/~/extension/~/address-book/contact"
    status, made = await _json(client, "POST", contacts, json={"firstName": "Ann"}, headers=auth)
    assert status == 200
    assert made["availability"] == "Alive"  # the ordinary state, not a random one
    path = made["uri"].split("/ringcentral", 1)[1]
    assert path.endswith(f"/address-book/contact/{made['id']}")
    assert (await _json(client, "GET", "/ringcentral" + path, headers=auth)) == (200, made)


@pytest.mark.parametrize(
    ("path", "content_type", "magic"),
    [
        ("/account/~/recording/77/content", "audio/mpeg", b"\xff\xfb"),
        ("/account/~/extension/~/greeting/5/content", "audio/wav", b"RIFF"),
        ("/account/~/extension/~/profile-image/90x90", "image/png", b"\x89PNG"),
    ],
)
async def test_file_operations_answer_a_file_of_their_type(
    client: TestClient, path: str, content_type: str, magic: bytes
) -> None:
    auth = bearer(await token_for(client))
    resp = await client.get(RC + path, headers=auth)
    assert resp.status == 200
    assert resp.content_type == content_type
    assert (await resp.read()).startswith(magic)


def test_placeholder_audio_is_a_file_players_open() -> None:
    _, body = placeholder("audio/*")
    with wave.open(io.BytesIO(body)) as audio:
        assert (audio.getnchannels(), audio.getframerate(), audio.getnframes()) == (1, 8000, 800)


async def test_list_items_are_reshaped_once_per_stored_record(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = "/signalwire/api/laml/2010-04-01/Accounts/project-a/Applications.json"
    for index in range(3):
        await client.post(apps, data={"FriendlyName": f"app{index}"}, headers=SW_AUTH)
    fills: list[object] = []
    original = engine.Synth.fill

    def counting(self: engine.Synth, schema: Any, fields: Any) -> dict[str, Any]:
        fills.append(schema)
        return original(self, schema, fields)

    monkeypatch.setattr(engine.Synth, "fill", counting)
    first = await _json(client, "GET", apps, headers=SW_AUTH)
    reshaped = len(fills)
    assert (await _json(client, "GET", apps, headers=SW_AUTH)) == first
    assert reshaped >= 3  # the items (Application is not the stored ApplicationResponse)
    assert len(fills) - reshaped == reshaped - 3  # the second list re-shapes no item
