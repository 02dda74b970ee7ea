"""A network's answers are attacker-controlled: a hostile server's addresses never become
links that run script in Harken's pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.publishing.engine import do_publish_due
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

HOSTILE_URLS = ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,x"]


@pytest.mark.parametrize("hostile", HOSTILE_URLS)
def test_a_published_posts_address_from_a_hostile_server_is_not_linked(
    hostile, mastodon, mastodon_account, alice_client
):
    made = mastodon.make_status
    mastodon.make_status = lambda *a, **k: {**made(*a, **k), "url": hostile}
    variant = make_variant(mastodon_account)
    do_publish_due(NOW)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert variant.url == ""
    for page in (
        reverse("compose_edit", args=[variant.post_id]),
        reverse("approvals_post", args=[variant.post_id]),
    ):
        body = alice_client.get(page).content.decode().lower()
        assert "javascript:" not in body and "data:text" not in body, page
