"""The console's pages, feed, editor check and token handling, over HTTP (no browser)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from aiohttp.test_utils import TestClient

from mockserver.admin.console import auth
from mockserver.admin.console.assets import asset
from mockserver.admin.table import ROUTES
from mockserver.catalog import Catalog
from mockserver.scenarios import validate_paths
from mockserver.server.app import create_app
from mockserver.server.services import Services
from tests.conftest import ClientFactory
from tests.console.samples import BROKEN, SMS

TOKEN = "console-secret"
HTML = {"Accept": "text/html,application/xhtml+xml"}


async def _client(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services], **settings: object
) -> TestClient:
    services = make_services(watch_interval=0, **settings)
    return await aiohttp_client(create_app(services.settings, services))


def _events(text: str) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]


async def test_root_redirects_to_the_console(client: TestClient) -> None:
    got = await client.get("/", allow_redirects=False)
    assert got.status == 302
    assert got.headers["Location"] == "/__admin/ui/"
    home = await client.get("/")
    assert home.status == 200
    assert "<h1>Catalog</h1>" in await home.text()


async def test_catalog_page_renders_the_ranked_search(client: TestClient) -> None:
    got = await client.get("/__admin/ui/catalog", params={"q": "rate limit"})
    assert got.status == 200
    assert got.content_type == "text/html"
    assert "default-src 'self'" in got.headers["Content-Security-Policy"]
    text = await got.text()
    first = text.index('class="entry"')
    assert text.index("<code>CMN-301</code>", first) < text.index('class="entry"', first + 1)
    assert "Request rate exceeded" in text
    assert "HTTP 429 (documented)" in text
    assert "X-Mock-Error: CMN-301" in text  # the copy-as-curl command


async def test_catalog_curl_reproduces_the_bytes_shown(client: TestClient) -> None:
    """The command behind "Copy as curl" gets the status and body the page shows."""
    text = await (await client.get("/__admin/ui/catalog", params={"q": "CMN-301"})).text()
    rendered = await (await client.get("/__admin/catalog/ringcentral/CMN-301/render")).json()
    assert f"HTTP/1.1 {rendered['status']} Too Many Requests" in text
    # rest family: its sample path, with X-Mock-Error, answers what the preview rendered
    got = await client.post(SMS, headers={"X-Mock-Error": "CMN-301"})
    assert got.status == rendered["status"]
    assert await got.json() == rendered["body"]


async def test_catalog_page_names_an_unknown_vendor(client: TestClient) -> None:
    got = await client.get("/__admin/ui/catalog", params={"vendor": "acme", "offset": "x"})
    assert got.status == 200
    assert "No vendor &#x27;acme&#x27;" in await got.text()


async def test_catalog_pages_through_results(client: TestClient) -> None:
    first = await (await client.get("/__admin/ui/catalog")).text()
    assert "entries match; showing 1-25." in first
    assert 'rel="next" href="/__admin/ui/catalog?offset=25"' in first
    second = await (await client.get("/__admin/ui/catalog", params={"offset": "25"})).text()
    assert 'rel="prev"' in second
    assert 'start="26"' in second


async def test_journal_page_shows_a_sessions_requests_escaped(client: TestClient) -> None:
    await client.post(SMS, headers={"X-Mock-Session": "S", "X-Mock-Error": "CMN-301"})
    await client.get("/ringcentral/<script>x</script>", headers={"X-Mock-Session": "T"})
    page = await (await client.get("/__admin/ui/journal", params={"session": "S"})).text()
    assert "session S" in page
    assert "POST /ringcentral/restapi/v1.0/account/~/extension/~/sms" in page
    assert "error CMN-301" in page
    assert "session T" not in page
    other = await (await client.get("/__admin/ui/journal", params={"session": "T"})).text()
    assert "<script>x" not in other
    assert "&lt;script&gt;x" in other
    assert 'class="flag">no endpoint' in other  # highlighted, in words too


async def test_journal_page_shows_near_misses_one_line_each(client: TestClient) -> None:
    await client.post(SMS, headers={"X-Mock-Session": "S"}, json={"to": [{"phoneNumber": "1"}]})
    page = await (await client.get("/__admin/ui/journal", params={"session": "S"})).text()
    misses = page.split('<ul class="misses" aria-label="Near misses">', 1)[1].split("</ul>")[0]
    assert misses.count("<li>") >= 1
    assert " matched " in misses


async def test_journal_page_reports_a_bad_filter(client: TestClient) -> None:
    got = await client.get("/__admin/ui/journal", params={"status": "many"})
    assert got.status == 200
    assert 'role="alert">query parameter status must be a finite number' in await got.text()


async def test_stream_sends_entries_so_far_then_ends_without_event_stream_accept(
    client: TestClient,
) -> None:
    await client.post(SMS, headers={"X-Mock-Session": "S", "X-Mock-Error": "CMN-301"})
    await client.post(SMS, headers={"X-Mock-Session": "T", "X-Mock-Error": "CMN-301"})
    got = await client.get("/__admin/journal/stream", params={"since": "0", "session": "S"})
    assert got.content_type == "text/event-stream"
    text = await got.text()
    assert "event: request\n" in text
    events = _events(text)
    assert [e["session"] for e in events] == ["S"]
    assert events[0]["error"] == "CMN-301"
    assert "near_misses" in events[0]
    # without since: only what comes from now on
    assert _events(await (await client.get("/__admin/journal/stream")).text()) == []


async def test_followed_stream_sends_a_request_made_after_it_opened(client: TestClient) -> None:
    accept = {"Accept": "text/event-stream"}
    got = await client.get("/__admin/journal/stream", params={"session": "L"}, headers=accept)
    await client.post(SMS, headers={"X-Mock-Session": "L", "X-Mock-Error": "CMN-301"})
    seen = b""
    while b"\n\n" not in seen:  # bounded by the test client's timeout
        seen += await got.content.readany()
    assert b'"session":"L"' in seen
    got.close()


async def test_editor_check_gives_the_messages_of_mockserver_validate(
    client: TestClient, tmp_path: Path, catalog: Catalog
) -> None:
    got = await client.post("/__admin/scenarios/validate", data=BROKEN.encode())
    answer = await got.json()
    assert got.status == 200
    assert answer["valid"] is False
    file = tmp_path / "broken.yaml"
    file.write_text(BROKEN, encoding="utf-8")
    cli = validate_paths([file], catalog)
    assert cli
    assert [p.removeprefix("editor") for p in answer["problems"]] == [
        p.removeprefix(str(file)) for p in cli
    ]
    assert answer["problems"][0].startswith("editor:5:")
    ok = await client.post("/__admin/scenarios/validate", data=BROKEN.replace("9999", "301"))
    assert await ok.json() == {"valid": True, "scenarios": ["broken"], "problems": []}
    # checked, not loaded
    rules = await (await client.get("/__admin/scenarios")).json()
    assert "broken" not in rules["scenarios"]


async def test_scenarios_page_lists_rules_with_hits(client: TestClient) -> None:
    await client.post(
        "/__admin/scenarios",
        params={"session": "S"},
        data=BROKEN.replace("9999", "301").encode(),
        headers={"Content-Type": "application/yaml"},
    )
    await client.post(SMS, headers={"X-Mock-Session": "S"})
    page = await (await client.get("/__admin/ui/scenarios", params={"session": "S"})).text()
    assert "<strong>broken</strong> · session S · 1 rules · 1 hits" in page
    assert 'data-name="broken" data-session="S"' in page


async def test_report_page_embeds_the_verdicts_report(client: TestClient) -> None:
    await client.post(SMS, headers={"X-Mock-Session": "S", "X-Mock-Error": "CMN-301"})
    page = await (await client.get("/__admin/ui/report")).text()
    assert "<h1>Error-handling verdicts</h1>" in page
    assert "<svg" in page
    assert page.count("<main") == 1


async def test_assets_are_served_from_the_package(client: TestClient) -> None:
    css = await client.get("/__admin/ui/console.css")
    assert css.content_type == "text/css"
    assert await css.read() == asset("console.css")
    js = await client.get("/__admin/ui/console.js")
    assert js.content_type == "text/javascript"
    assert b"EventSource" in await js.read()


def test_every_console_route_is_in_the_admin_table() -> None:
    paths = {(r.method, r.path) for r in ROUTES}
    for path in ("/ui/", "/ui/catalog", "/ui/journal", "/ui/scenarios", "/ui/report"):
        assert ("GET", path) in paths
    assert ("GET", "/journal/stream") in paths
    assert ("POST", "/scenarios/validate") in paths


# ---- the admin token


async def test_with_a_token_a_browser_gets_a_sign_in_form_and_the_api_json(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    client = await _client(aiohttp_client, make_services, admin_token=TOKEN)
    page = await client.get("/__admin/ui/catalog", params={"q": "x"}, headers=HTML)
    assert page.status == 401
    text = await page.text()
    assert '<input id="token" name="token" type="password"' in text
    assert '<input type="hidden" name="q" value="x">' in text
    api = await client.get("/__admin/ui/catalog")
    assert api.status == 401
    assert (await api.json())["error"] == "unauthorized"
    wrong = await client.get("/__admin/ui/catalog", params={"token": "nope"}, headers=HTML)
    assert 'role="alert"' in await wrong.text()


async def test_token_once_sets_a_cookie_and_drops_the_token_from_the_url(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    client = await _client(aiohttp_client, make_services, admin_token=TOKEN)
    got = await client.get(
        "/__admin/ui/journal", params={"token": TOKEN, "session": "S"}, allow_redirects=False
    )
    assert got.status == 303
    assert got.headers["Location"] == "/__admin/ui/journal?session=S"
    cookie = got.cookies[auth.COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/__admin/"
    assert TOKEN not in cookie.value
    jar = {auth.COOKIE: cookie.value}
    client.session.cookie_jar.clear()  # each request below says which cookie it sends
    assert (await client.get("/__admin/ui/journal", cookies=jar)).status == 200
    assert (await client.get("/__admin/requests", cookies=jar)).status == 200
    # a change needs the console's header besides the cookie (no cross-site form sends it)
    bare = await client.post("/__admin/reset", cookies=jar)
    assert bare.status == 401
    marked = await client.post("/__admin/reset", cookies=jar, headers={auth.CONSOLE_HEADER: "1"})
    assert marked.status == 200
    bearer = await client.get("/__admin/requests", headers={"Authorization": f"Bearer {TOKEN}"})
    assert bearer.status == 200
    assert (await client.get("/__admin/requests", cookies={auth.COOKIE: "forged"})).status == 401


async def test_a_reconnecting_feed_resumes_after_its_last_event(client: TestClient) -> None:
    await client.post(SMS, headers={"X-Mock-Session": "R", "X-Mock-Error": "CMN-301"})
    first = await (await client.get("/__admin/journal/stream?since=0&session=R")).text()
    last_id = first.split("id: ", 1)[1].split("\n", 1)[0]
    await client.post(SMS, headers={"X-Mock-Session": "R", "X-Mock-Error": "CMN-302"})
    again = await client.get(
        "/__admin/journal/stream?since=0&session=R", headers={"Last-Event-ID": last_id}
    )
    # the entry at the last id's time comes again (the page drops it by id); older ones do not
    assert [e["error"] for e in _events(await again.text())] == ["CMN-301", "CMN-302"]
    older = await client.get(
        "/__admin/journal/stream?since=0&session=R", headers={"Last-Event-ID": "9e15 x"}
    )
    assert _events(await older.text()) == []


async def test_a_followed_feed_ends_when_the_server_stops(
    aiohttp_client: ClientFactory, make_services: Callable[..., Services]
) -> None:
    services = make_services(watch_interval=0)
    client = await aiohttp_client(create_app(services.settings, services))
    got = await client.get("/__admin/journal/stream", headers={"Accept": "text/event-stream"})
    services.pipeline.stopping.set()  # what the app's on_shutdown does
    assert await got.text() == ""
