"""Debian's headless Chromium for the console tests: the binary, a driver, a running server."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockserver.settings import Settings
from mockserver.testing.thread import ServerThread

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
# CI sets this: there a missing browser is a failure, not a skip
REQUIRED = os.environ.get("MOCKSERVER_REQUIRE_BROWSER") == "1"
# root in a container has no user namespaces for Chromium's sandbox; the pages are our own
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")


def _browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    why = "no chromium/chromedriver: `make system-deps` (apt-get install chromium chromium-driver)"
    if REQUIRED:
        pytest.fail(why + " and MOCKSERVER_REQUIRE_BROWSER=1")
    pytest.skip(why)


@pytest.fixture(scope="module")
def chromium() -> str:
    return _browser()[0]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerThread]:
    with ServerThread(Settings(watch_interval=0)) as running:
        yield running


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Chrome WebDriver on Debian's chromium and chromedriver (nothing downloaded)."""
    binary, driver_path = _browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield driver
    finally:
        driver.quit()


def dump_dom(chromium: str, url: str, profile: Path) -> str:
    """`chromium --headless --dump-dom url`: the DOM once the page has loaded."""
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout
