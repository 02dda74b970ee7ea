"""Settings › Accounts in a real Chromium at 1280×800 and 390×844: the connect forms of
YouTube, LinkedIn, Tumblr and Threads fit the window, LinkedIn says it has no search, and
connecting a channel goes to Google's consent page (played by a route that sends the
browser straight back with a code) and comes back connected. Google's token answer and
the channel are recorded bodies (see test_connect.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from harken.networks.linkedin import oauth as linkedin
from harken.networks.models import Account
from harken.networks.threads import api as threads
from harken.networks.tumblr import oauth as tumblr
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 - fixtures
from tests.networks.youtube.youtube_local import API, TOKEN, body

pytestmark = pytest.mark.django_db(transaction=True)
FORMS = ("connect-youtube", "connect-linkedin", "connect-tumblr", "connect-threads")


@pytest.fixture
def consent(youtube, monkeypatch):
    for key in (linkedin.CLIENT_ID, linkedin.CLIENT_SECRET, tumblr.CLIENT_ID, tumblr.CLIENT_SECRET):
        monkeypatch.setenv(key, "set")
    monkeypatch.setenv(threads.APP_ID, "set")
    monkeypatch.setenv(threads.APP_SECRET, "set")
    youtube.route(TOKEN, body("oauth_token_response.json"))
    youtube.route(f"{API}/channels", body("channels_list_single_statistics.json"))

    def google(route):
        started = route.fetch(max_redirects=0)
        sent = parse_qs(urlsplit(started.headers["location"]).query)
        back = f"{sent['redirect_uri'][0]}?code=the-code&state={sent['state'][0]}"
        route.fulfill(status=302, headers={"Location": back})

    return google


def test_connect_a_channel_from_the_accounts_page(page, alice, workspace, consent):  # noqa: F811
    page.route("**/networks/connect/youtube/start/", consent)
    log_in(page, "alice")
    page.goto("/networks/accounts/")
    for form_id in FORMS:
        assert page.locator(f"#{form_id}").is_visible(), form_id
        right = page.evaluate(
            f"Math.max(...[...document.querySelectorAll('#{form_id}, #{form_id} *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= page.viewport_size["width"], f"#{form_id} is wider than the window"
    assert "LinkedIn has no search API" in page.locator("#connect-linkedin").inner_text()
    screenshot(page, "accounts-youtube-linkedin-tumblr-threads")

    page.locator("#connect-youtube").get_by_role("button", name="Continue with Google").click()
    page.get_by_text("@googledevelopers is connected").wait_for()
    assert Account.objects.get(workspace=workspace, network="youtube").config["refresh_token"]
    screenshot(page, "accounts-youtube-connected")
