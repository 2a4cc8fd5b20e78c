"""The console in a real headless Chromium: search, live journal, editor, keyboard, both widths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from mockserver.catalog import Catalog
from mockserver.scenarios import validate_paths
from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread
from tests.console.conftest import SCREENSHOTS, dump_dom
from tests.console.samples import BROKEN, SMS

VIEWS = ("catalog", "journal", "scenarios", "report")
WIDTHS = (1280, 390)
# the WCAG contrast ratio of every element holding text against its (inherited) background
CONTRAST_JS = """
const lum = (c) => {
  const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const background = (node) => {
  for (; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") return bg;
  }
  return "rgb(255, 255, 255)";
};
const worst = [];
for (const node of document.querySelectorAll("header *, main *")) {
  const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
  if (!own || !node.getClientRects().length || node.closest("svg")) continue;
  const [a, b] = [lum(getComputedStyle(node).color), lum(background(node))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) worst.push(`${node.tagName}.${node.className}: ${ratio.toFixed(2)}`);
}
return worst;
"""
# every control's accessible name: its label, aria-label, or text
UNNAMED_JS = """
return [...document.querySelectorAll("a, button, input, select, textarea, summary")]
  .filter((n) => n.type !== "hidden")
  .filter((n) => !((n.labels && n.labels.length) || n.getAttribute("aria-label") || n.textContent.trim()))
  .map((n) => n.outerHTML.slice(0, 80));
"""


def _wait(driver: Any, seconds: float) -> WebDriverWait[Any]:
    return WebDriverWait(driver, seconds, poll_frequency=0.02)


def _open(driver: Any, url: str) -> None:
    driver.get(url)
    _wait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _request(server: ServerThread, session: str, code: str = "CMN-301") -> None:
    headers = {"X-Mock-Session": session, "X-Mock-Error": code}
    requests.post(server.url + SMS, headers=headers, timeout=5)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"


# ---- the "Done when": chromium --headless --dump-dom


def test_dump_dom_of_a_catalog_search_has_the_entry_and_its_message(
    chromium: str, server: ServerThread, profile: Path
) -> None:
    dom = dump_dom(chromium, server.url + "/__admin/ui/catalog?q=CMN-301", profile)
    assert "<code>CMN-301</code>" in dom
    assert "Request rate exceeded" in dom


def test_dump_dom_of_a_sessions_journal_has_its_request(
    chromium: str, server: ServerThread, profile: Path
) -> None:
    _request(server, "dump-S")
    _request(server, "dump-other")
    dom = dump_dom(chromium, server.url + "/__admin/ui/journal?session=dump-S", profile)
    assert "POST /ringcentral/restapi/v1.0/account/~/extension/~/sms" in dom
    assert "session dump-S" in dom
    assert "dump-other" not in dom


def test_root_lands_on_the_console(browser: Any, server: ServerThread) -> None:
    _open(browser, server.url + "/")
    assert browser.current_url == server.url + "/__admin/ui/"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Catalog"


# ---- the browser tests the issue lists


def test_search_finds_cmn_301_from_rate_limit(browser: Any, server: ServerThread) -> None:
    _open(browser, server.url + "/__admin/ui/catalog")
    box = browser.find_element(By.ID, "f-q")
    box.send_keys("rate limit")
    # read in one script: each keystroke's answer replaces the results (no stale elements)
    first = "return document.querySelector('#results .entry')?.innerText || ''"
    # the URL follows the answer to the last keystroke: a deep link to this search
    _wait(browser, 5).until(lambda d: d.current_url.endswith("/__admin/ui/catalog?q=rate+limit"))
    entry = browser.execute_script(first)
    assert entry.startswith("CMN-301")
    assert "Request rate exceeded" in entry


def test_a_request_made_after_the_journal_opened_appears_within_a_second(
    browser: Any, server: ServerThread
) -> None:
    _open(browser, server.url + "/__admin/ui/journal?session=live")
    _wait(browser, 10).until(lambda d: "live." in d.find_element(By.ID, "live").text)
    _request(server, "live")
    rows = (By.CSS_SELECTOR, "#requests .req")
    _wait(browser, 1.0).until(lambda d: len(d.find_elements(*rows)) == 1)
    row = browser.find_element(*rows)
    assert "POST /ringcentral/restapi/v1.0/account/~/extension/~/sms" in row.text
    assert "error CMN-301" in row.text


def test_a_broken_scenario_shows_its_line_error_as_validate_does(
    browser: Any, server: ServerThread, tmp_path: Path, catalog: Catalog
) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text(BROKEN, encoding="utf-8")
    expected = [p.replace(str(file), "editor", 1) for p in validate_paths([file], catalog)]
    _open(browser, server.url + "/__admin/ui/scenarios")
    editor = browser.find_element(By.ID, "f-text")
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys(BROKEN)
    shown = (By.CSS_SELECTOR, "#problems li.problem .text")
    _wait(browser, 5).until(lambda d: len(d.find_elements(*shown)) == len(expected))
    assert [span.text for span in browser.find_elements(*shown)] == expected
    assert expected[0].startswith("editor:5:")
    browser.find_element(By.CSS_SELECTOR, "#problems li.problem button").click()
    picked = browser.execute_script(
        "const t = document.getElementById('f-text');"
        "return [document.activeElement.id, t.value.slice(t.selectionStart, t.selectionEnd)]"
    )
    assert picked == ["f-text", "    error: {code: CMN-9999}"]


def test_the_editor_loads_and_unloads_a_scenario_per_session(
    browser: Any, server: ServerThread
) -> None:
    _open(browser, server.url + "/__admin/ui/scenarios?session=ed")
    browser.execute_script(
        "const t = document.getElementById('f-text'); t.value = arguments[0];"
        "t.dispatchEvent(new Event('input'))",
        BROKEN.replace("9999", "301").replace("broken", "fixed"),
    )
    _wait(browser, 5).until(lambda d: "Valid: fixed" in d.find_element(By.ID, "problems").text)
    browser.find_element(By.CSS_SELECTOR, "#editor button[type=submit]").click()
    unload = (By.CSS_SELECTOR, 'button.unload[data-name="fixed"][data-session="ed"]')
    _wait(browser, 5).until(lambda d: d.find_elements(*unload))
    loaded = requests.get(server.url + "/__admin/scenarios?session=ed", timeout=5).json()
    assert any(r["scenario"] == "fixed" and r["session"] == "ed" for r in loaded["rules"])
    browser.execute_script(
        "arguments[0].closest('details').open = true", browser.find_element(*unload)
    )
    browser.find_element(*unload).click()
    _wait(browser, 5).until(lambda d: not d.find_elements(*unload))
    after = requests.get(server.url + "/__admin/scenarios?session=ed", timeout=5).json()
    assert not any(r["scenario"] == "fixed" for r in after["rules"])


@pytest.mark.parametrize("view", VIEWS)
def test_every_control_is_labelled_and_text_has_aa_contrast(
    browser: Any, server: ServerThread, view: str
) -> None:
    _request(server, "a11y")
    _open(browser, server.url + f"/__admin/ui/{view}?q=CMN-301")
    browser.execute_script("document.querySelectorAll('details').forEach((d) => d.open = true)")
    assert browser.execute_script(UNNAMED_JS) == []
    assert browser.execute_script(CONTRAST_JS) == []


def test_the_catalog_is_reachable_by_keyboard(browser: Any, server: ServerThread) -> None:
    _open(browser, server.url + "/__admin/ui/catalog?q=CMN-301")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    reached = []
    for _ in range(9):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        reached.append(active.get_attribute("id") or active.text)
    assert reached[:4] == ["Catalog", "Journal", "Scenarios", "Verdicts"]
    assert reached[4:8] == ["f-q", "f-vendor", "f-delivery", "Search"]
    assert "Answer bytes in 4 envelope families" in reached
    # Enter opens the bytes; the curl button is then next in the tab order
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    browser.switch_to.active_element.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Copy as curl"


@pytest.fixture
def widths(browser: Any) -> Iterator[None]:
    yield
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_of_every_view_fit_the_width(
    browser: Any, server: ServerThread, width: int, widths: None
) -> None:
    _request(server, "shots")
    requests.get(server.url + "/ringcentral/no/such/thing", headers={"X-Mock-Session": "shots"})
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    urls = {
        "catalog": "/__admin/ui/catalog?q=rate+limit",
        "journal": "/__admin/ui/journal?session=shots",
        "scenarios": "/__admin/ui/scenarios",
        "report": "/__admin/ui/report",
    }
    for view, path in urls.items():
        _open(browser, server.url + path)
        if view == "catalog":
            browser.execute_script("document.querySelector('details').open = true")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, (view, width, overflow)
        shot = SCREENSHOTS / f"{view}-{width}.png"
        assert browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 1000


def test_with_an_admin_token_the_url_token_signs_the_browser_in(
    browser: Any, profile: Path
) -> None:
    with ServerThread(Settings(watch_interval=0, admin_token="t0ken")) as secured:
        _open(browser, secured.url + "/__admin/ui/journal?session=tok")
        assert browser.find_element(By.TAG_NAME, "h1").text == "mockserver console"
        field = browser.find_element(By.ID, "token")
        field.send_keys("t0ken", Keys.ENTER)
        _wait(browser, 10).until(
            lambda d: d.current_url.endswith("/__admin/ui/journal?session=tok")
        )
        _wait(browser, 10).until(lambda d: "live." in d.find_element(By.ID, "live").text)
        _request(secured, "tok")
        _wait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#requests .req"))
        _open(browser, secured.url + "/__admin/ui/catalog?q=CMN-301")
        assert "Request rate exceeded" in browser.find_element(By.ID, "results").text
        browser.delete_all_cookies()
