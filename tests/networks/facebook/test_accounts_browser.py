"""Settings › Accounts in a real Chromium at 1280×800 and 390×844: connecting a Facebook
Page goes to Facebook's dialog (played here by a route that sends the browser straight
back with a code) and comes back with the choice of Pages, then connects the one named.
The Graph API is the local server with recorded bodies (see test_connect.py)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from harken.networks.models import Account
from tests.browser.conftest import browser, log_in, page, screenshot  # noqa: F401 - fixtures
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import EMPTY, body, path

pytestmark = pytest.mark.django_db(transaction=True)


def graph_answers(meta) -> None:
    token = Reply(200, '{"access_token": "short"}')
    meta.route(path("oauth", "access_token"), token, body("oauth_long_lived_token.json"))
    meta.route(path("me", "accounts"), body("me_accounts_p1.json"), Reply(200, EMPTY))


@pytest.fixture
def dialog(meta, live_server):
    """Facebook's consent dialog, which sends the browser back to the callback with a code."""
    graph_answers(meta)

    def consent(route):
        # Harken's start answers with a redirect to Facebook's dialog; Facebook would
        # send the browser back to the callback it names, with a code and the state.
        started = route.fetch(max_redirects=0)
        dialog_url = started.headers["location"]
        assert dialog_url.startswith("https://facebook.test/v23.0/dialog/oauth?")
        sent = parse_qs(urlsplit(dialog_url).query)
        back = f"{sent['redirect_uri'][0]}?code=the-code&state={sent['state'][0]}"
        route.fulfill(status=302, headers={"Location": back})

    return consent


def test_connect_a_page_from_the_accounts_page(page, alice, workspace, meta, dialog):  # noqa: F811
    page.route("**/networks/connect/facebook/start/", dialog)
    log_in(page, "alice")
    page.goto("/networks/accounts/")
    form = page.locator("#connect-facebook")
    assert form.is_visible() and page.locator("#connect-instagram").is_visible()
    for form_id in ("connect-facebook", "connect-instagram"):
        # Nothing in the connect forms is wider than the window (the long callback
        # address wraps); the settings tabs above are another matter.
        right = page.evaluate(
            f"Math.max(...[...document.querySelectorAll('#{form_id}, #{form_id} *')]"
            ".map(e => e.getBoundingClientRect().right))"
        )
        assert right <= page.viewport_size["width"], f"#{form_id} is wider than the window"
    screenshot(page, "accounts-facebook")

    form.get_by_role("button", name="Continue on Facebook").click()
    page.get_by_text("You manage 4 of them").wait_for()
    assert "AAAAAAAAA, BBBBBBBB, EEEEEEEE, FFFFFFFFFF" in page.content()
    assert not Account.objects.filter(workspace=workspace).exists()

    graph_answers(meta)
    page.locator("#connect-facebook input[name='facebook-page']").fill("EEEEEEEE")
    page.locator("#connect-facebook").get_by_role("button", name="Continue on Facebook").click()
    page.get_by_text("EEEEEEEE is connected").wait_for()
    assert Account.objects.get(workspace=workspace, network="facebook").external_id == "123512"
    screenshot(page, "accounts-facebook-connected")
