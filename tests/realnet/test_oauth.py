"""Sign in with Bluesky against the PDS's own OAuth server (PAR, PKCE, DPoP), driven in
Chromium through its sign-in and consent pages; then the DPoP-bound tokens read, and an
expired access token is refreshed once by two workers polling at the same moment. The
PDS treats a refresh token used twice as stolen and revokes the whole sign-in, so a
second refresh would show as a failed poll here."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from harken.listening.searches import do_add_search
from harken.networks.bluesky import oauth
from harken.networks.models import Account
from tests.browser.conftest import log_in, screenshot
from tests.realnet.harken import mentions_source, poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_bluesky_through_the_pds_consent_page(
    realnet,
    settings,
    live_server,
    browser,
    workspace,
    alice,
    alice_on,
    monkeypatch,  # noqa: F811
):
    # The loopback client: Harken opened at http://127.0.0.1:PORT, as the spec allows.
    base = f"http://127.0.0.1:{urlsplit(live_server.url).port}"
    settings.BASE_URL = base
    context = browser.new_context(base_url=base)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.viewport_name = "desktop"
    try:
        log_in(page, "alice")
        page.goto(reverse("networks:accounts"))
        button = page.get_by_role("button", name="Sign in with Bluesky")
        page.locator("form", has=button).locator("input[name$=handle]").fill(alice_on.handle)
        button.click()
        # The PDS's own pages: sign in as Alice, then allow Harken.
        page.wait_for_url(f"{realnet.pds}/oauth/authorize**")
        page.locator("input[type=password]").fill(alice_on.password)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_url(f"{base}/**")  # back at Harken, with Alice's account listed
        assert alice_on.handle in page.content()
    except Exception:
        screenshot(page, "realnet-oauth-failed")
        raise
    finally:
        context.close()

    account = Account.objects.get(network="bluesky", external_id=alice_on.did)
    config = account.config
    assert (config["auth"], config["pds"], config["issuer"]) == ("oauth", realnet.pds, realnet.pds)
    assert account.handle == alice_on.handle and account.status == Account.Status.ACTIVE
    # DPoP-bound tokens with the server's nonce kept, and the key the tokens are bound to.
    assert config["dpop_nonces"].get(realnet.pds) and config["dpop_key"]["crv"] == "P-256"
    assert "atproto" in config["scope"].split() and config["expires_at"] > time.time()

    # The DPoP-bound token reads Alice's mentions from her PDS.
    sources = [mentions_source(account)]
    assert poll(sources[0]).state == "stored"

    # Two workers, two sources on the account, one expired access token: one refresh.
    sources.append(do_add_search(workspace, alice, "bluesky", "rings", account, 300))
    account.refresh_from_db()
    spent = account.config["refresh_token"]
    account.config = {**account.config, "expires_at": time.time() - 5}
    account.save(update_fields=["config"])
    refreshes: list[str] = []
    real_refresh = oauth.refresh

    def counted(config):
        refreshes.append(config["refresh_token"])
        time.sleep(0.3)  # long enough for the other worker to find the token stale too
        return real_refresh(config)

    monkeypatch.setattr(oauth, "refresh", counted)
    outcomes = []
    gate = threading.Barrier(2)

    def worker(source) -> None:
        try:
            gate.wait()
            outcomes.append(poll(source))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(s,)) for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert refreshes == [spent]
    assert [o.state for o in outcomes] == ["stored", "stored"], outcomes
    account.refresh_from_db()
    assert account.config["refresh_token"] != spent
    # The new refresh token is good: the PDS saw no replay, the sign-in lives on.
    account.config = {**account.config, "expires_at": time.time() - 5}
    account.save(update_fields=["config"])
    assert poll(sources[0]).state == "stored"
    assert len(refreshes) == 2
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
