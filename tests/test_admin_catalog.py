"""Admin API: health, catalog listing/filters, one entry, its rendered answer, the admin token."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp.test_utils import TestClient

from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory


async def test_health_reports_version_vendors_and_counts(client: TestClient) -> None:
    body = await (await client.get("/__admin/health")).json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["vendors"]["signalwire"]["entries"] == 1051
    assert body["vendors"]["webexconnect"]["codes"] == 114
    assert body["vendors"]["webexconnect"]["entries"] == 270
    assert body["entries"] >= 1536


async def test_catalog_filters_combine(client: TestClient) -> None:
    body = await (await client.get("/__admin/catalog?vendor=ringcentral&status=429")).json()
    keys = {e["key"] for e in body["entries"]}
    assert {"CMN-301", "CMN-302", "CMN-303", "MSG-305"} <= keys
    assert all(e["http_status"] == 429 for e in body["entries"])
    body = await (await client.get("/__admin/catalog?q=unreachable&vendor=signalwire")).json()
    assert any(e["key"] == "30003" for e in body["entries"])
    body = await (await client.get("/__admin/catalog?tag=rate-limit")).json()
    assert {e["vendor"] for e in body["entries"]} >= {"ringcentral", "signalwire"}
    assert "docs" not in body["entries"][0]


async def test_catalog_q_is_ranked_with_synonyms(client: TestClient) -> None:
    body = await (await client.get("/__admin/catalog?q=throttle")).json()
    keys = {(e["vendor"], e["key"]) for e in body["entries"]}
    assert {("ringcentral", "CMN-301"), ("signalwire", "20429")} <= keys
    body = await (await client.get("/__admin/catalog?q=CMN-301")).json()
    assert body["entries"][0]["key"] == "CMN-301"


async def test_catalog_paging(client: TestClient) -> None:
    body = await (await client.get("/__admin/catalog?vendor=signalwire&limit=10&offset=5")).json()
    assert body["total"] == 1051
    assert len(body["entries"]) == 10


async def test_catalog_bad_filters_are_named(client: TestClient) -> None:
    resp = await client.get("/__admin/catalog?vendor=twillio")
    assert resp.status == 404
    assert (await resp.json())["error"] == "unknown_vendor"
    resp = await client.get("/__admin/catalog?status=abc")
    assert resp.status == 400
    assert "status" in (await resp.json())["message"]


async def test_show_entry_with_variants(client: TestClient) -> None:
    body = await (await client.get("/__admin/catalog/webexconnect/7003/3")).json()
    assert body["key"] == "7003/3"
    assert body["variant"] == 3
    assert body["variants"][0] == "7003"
    body = await (await client.get("/__admin/catalog/signalwire/30003")).json()
    assert body["delivery"] == "async"
    assert body["docs"]


async def test_show_unknown_code_suggests(client: TestClient) -> None:
    resp = await client.get("/__admin/catalog/ringcentral/CMN-30")
    assert resp.status == 404
    body = await resp.json()
    assert body["error"] == "unknown_code"
    assert body["suggestions"]


async def test_render_sync_entry_is_the_exact_answer(client: TestClient) -> None:
    resp = await client.get("/__admin/catalog/ringcentral/CMN-102/render?params=parameterName=id")
    body = await resp.json()
    assert body["status"] == 404 or body["status"] == 400
    assert body["body"]["parameterName"] == "id"
    assert "RCRequestId" in body["headers"]


async def test_render_family_and_async(client: TestClient) -> None:
    body = await (
        await client.get("/__admin/catalog/ringcentral/OAU-140/render?family=oauth")
    ).json()
    assert body["status"] == 400
    assert body["body"]["error"] == "invalid_grant"
    body = await (await client.get("/__admin/catalog/signalwire/30003/render")).json()
    assert body["delivery"] == "async"
    assert "ErrorCode=30003" in body["body_text"]
    resp = await client.get("/__admin/catalog/ringcentral/CMN-102/render?family=nope")
    assert resp.status == 400


async def test_admin_token_protects_every_admin_route(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(admin_token="s3cret")
    client = await aiohttp_client(create_app(services.settings, services))
    for path in ("/__admin/health", "/__admin/catalog", "/__admin/catalog/yeastar/10004"):
        resp = await client.get(path)
        assert resp.status == 401, path
    resp = await client.get("/__admin/health", headers={"Authorization": "Bearer s3cret"})
    assert resp.status == 200
    # vendor routes are not behind the admin token
    resp = await client.get("/yeastar/openapi/v1.0/x", headers={"X-Mock-Error": "10004"})
    assert resp.status == 200
