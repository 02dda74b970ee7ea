"""A connected Instagram account read into listening through the real poll and ingest
pipeline, against the local Graph API serving recorded bodies (see test_connector.py)."""

from __future__ import annotations

import json

from harken.listening.models import Mention, Source
from harken.listening.polling import poll_source
from harken.networks.connecting import save_connected
from harken.networks.instagram.connector import HIDDEN
from tests.networks.facebook.graph_local import recorded
from tests.networks.instagram.test_connector import IG, MEDIA, media  # noqa: F401


def test_a_poll_stores_the_comments_and_counts_the_tags_it_could_not_read(workspace, alice, media):  # noqa: F811
    config = {"ig_user_id": IG, "username": "ikroskun", "page_id": "1", "page_token": "t"}
    account = save_connected(workspace, alice, "instagram", IG, "@ikroskun", config)
    source = Source.objects.get(account=account)
    outcome = poll_source(source.pk, force=True)
    assert (outcome.state, outcome.stored) == ("stored", 2), outcome
    mentions = Mention.objects.filter(workspace=workspace, network="instagram").order_by("posted")
    assert [(m.external_id, m.in_reply_to) for m in mentions] == [
        ("17892250648466172", MEDIA),
        ("17858154961981086", MEDIA),
    ]
    assert len({m.conversation_id for m in mentions}) == 1
    source.refresh_from_db()
    tags = json.loads(recorded("ig_user_tags.json", "instagram-graph"))["data"]
    assert source.last_skipped == {HIDDEN: len(tags)}  # the recorded tags name no tagger
    assert poll_source(source.pk, force=True).stored == 0
