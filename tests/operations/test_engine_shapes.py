"""Generic answers whose schema is not an object: arrays and scalars answered, not a 500."""

from __future__ import annotations

import base64

from aiohttp.test_utils import TestClient

SW_AUTH = {"Authorization": "Basic " + base64.b64encode(b"project-a:token").decode()}
# a `read` whose documented 200 is a top-level array (sw-rest.yaml)
ADDRESSES = "/signalwire/api/fabric/resources/subscribers/{id}/addresses"


async def test_a_singleton_read_answering_an_array_answers_one(client: TestClient) -> None:
    resp = await client.get(
        ADDRESSES.format(id="9d3c1a2e-0000-4000-8000-000000000001"), headers=SW_AUTH
    )
    assert resp.status == 200
    assert isinstance(await resp.json(), list)


async def test_a_list_documented_as_a_bare_array_answers_an_array(client: TestClient) -> None:
    resp = await client.get("/signalwire/api/fabric/resources/swml_scripts", headers=SW_AUTH)
    assert resp.status == 200
    assert isinstance(await resp.json(), list)


async def test_rest_list_links_are_absolute_urls_back_to_the_mock(client: TestClient) -> None:
    resp = await client.get("/signalwire/api/fabric/resources/subscribers", headers=SW_AUTH)
    assert resp.status == 200
    links = (await resp.json())["links"]
    origin = f"http://{client.host}:{client.port}/signalwire/api/fabric/resources/subscribers?"
    assert links["self"].startswith(origin)
    assert links["first"].startswith(origin)


async def test_a_list_documented_as_a_referenced_array_answers_an_array(
    client: TestClient,
) -> None:
    fone = {"Authorization": "Basic " + base64.b64encode(b"AC0001:secret").decode()}
    resp = await client.get("/fonedynamics/v2/Properties/PR0001/Numbers", headers=fone)
    assert resp.status == 200
    assert isinstance(await resp.json(), list)


async def test_a_list_without_an_array_property_answers_only_its_schemas_fields(
    client: TestClient,
) -> None:
    # FaxMediaListResponse names two arrays and the table no list_key: nothing to list under
    path = "/signalwire/api/laml/2010-04-01/Accounts/project-a/Faxes/FX1/Media.json"
    resp = await client.get(path, headers=SW_AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert "records" not in body
    assert {"uri", "page", "page_size", "media", "fax_media"} <= set(body)
