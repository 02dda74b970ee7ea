"""A real Chromium (Debian's package) driven by Playwright against the live test server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("HARKEN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags for a closed network: no background calls home, no GPU, no sandbox as root.
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


_RUNNING: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("HARKEN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are
    # still synchronous, so tell Django they are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # One Playwright per process: test modules elsewhere import this fixture, which gives
    # each its own session fixture, and a second sync Playwright cannot start beside the
    # first. They share this one; it stops when the process ends.
    if "browser" not in _RUNNING:
        import atexit

        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        _RUNNING["browser"] = launched
        atexit.register(playwright.stop)
        atexit.register(launched.close)
    yield _RUNNING["browser"]


@pytest.fixture(params=["desktop", "phone"])
def page(request, browser, live_server):
    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = request.param
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """The whole page, as tall as it is: the window is stretched to the page's height for
    the shot, so what is fixed to the window's edges (the phone's tab bar, the rail) is
    drawn where it belongs rather than in the middle of a long page."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.viewport_name}.png"
    size = page.viewport_size
    height = page.evaluate("document.documentElement.scrollHeight")
    if size and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, username: str, password: str = "correct horse battery") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
