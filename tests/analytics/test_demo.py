"""`harken demo`'s analytics part: a sample history whose dashboard is full."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from harken.analytics.models import AccountSnapshot, Tally
from harken.core.demo import do_fill_demo
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

EMPTY = ("No mention", "Nothing published", "No post published", "No account", "No conversation")


def test_the_sample_dashboard_shows_every_panel_full():
    owner = get_user_model().objects.create_user("owner", password="correct horse battery")
    workspace = do_fill_demo([owner])
    assert Tally.objects.filter(workspace=workspace, dimension="post").exists()
    assert AccountSnapshot.objects.filter(workspace=workspace).count() == 2 * 91
    client = client_for(owner)
    for url in (
        "/analytics/",
        *(f"/analytics/{a}/" for a in ("listening", "relationship", "audience")),
    ):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert not [words for words in EMPTY if words in html], url
    html = client.get("/analytics/").content.decode()
    for panel in ("mentions", "sentiment", "share-of-voice", "drivers", "responses", "best-times"):
        assert f'id="panel-{panel}"' in html
    for stat in ("mentions", "positive", "share", "first-response", "followers"):
        assert f'id="stat-{stat}"' in html
