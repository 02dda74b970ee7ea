"""Publish, against Bluesky's own PDS: a scheduled post goes out at its time, once, with its
links, mention and hashtag as facets at the right UTF-8 bytes; a post the PDS refuses, and
one whose account's session was revoked, fail on the variant in Bluesky's words.

Links become Harken's tracked short links in the composer (``publishing.compose.saving``);
these variants are written directly, so their link is published as written and its facet
is checked byte for byte.
"""

from __future__ import annotations

from datetime import timedelta

from atproto import models
from django.core import mail
from django.utils import timezone

from harken.core.models import Member
from harken.networks.bluesky.connector import Bluesky, tid_for
from harken.networks.models import Account
from harken.publishing.engine import MAX_ATTEMPTS, do_publish_due
from harken.publishing.models import Post, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import State
from tests.realnet.harken import connect_with_app_password
from tests.realnet.test_tokens import expire_session


def variant_for(account: Account, alice, text: str) -> Variant:
    member = Member.objects.get(user=alice, workspace=account.workspace)
    post = Post.objects.create(workspace=account.workspace, author=member)
    return Variant.objects.create(
        workspace=account.workspace, post=post, account=account, text=text
    )


def posts_under(person, rkey: str) -> list:
    return [r for r in person.records() if r.uri.rsplit("/", 1)[-1] == rkey]


def test_a_scheduled_post_goes_out_at_its_time_once_with_its_facets(
    realnet, workspace, alice, alice_client, alice_on, bob_on
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    link = "https://harbor.example/ringe?größe=54&ü=1"
    text = f"Größe 54 für Jürgen 💍 — {link}, frag @{bob_on.handle} #Goldschmiede"
    variant = variant_for(account, alice, text)
    at = timezone.now() + timedelta(minutes=30)
    do_schedule(variant, at, actor=alice)
    before = len(alice_on.records())

    assert do_publish_due(at - timedelta(seconds=1)).published == []
    assert len(alice_on.records()) == before
    assert do_publish_due(at).published == [variant.pk]
    assert do_publish_due(at + timedelta(minutes=1)).published == []  # once

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED, variant.error
    rkey = tid_for(str(variant.idempotency_key))
    (record,) = posts_under(alice_on, rkey)
    assert len(alice_on.records()) == before + 1
    assert record.uri == variant.external_id
    assert variant.url.endswith(f"/profile/{alice_on.handle}/post/{rkey}")
    assert record.value.text == text
    data = text.encode()
    found = {
        data[f.index.byte_start : f.index.byte_end].decode(): f.features[0]
        for f in record.value.facets
    }
    assert set(found) == {link, f"@{bob_on.handle}", "#Goldschmiede"}
    assert isinstance(found[link], models.AppBskyRichtextFacet.Link)
    assert found[link].uri == link
    assert isinstance(found[f"@{bob_on.handle}"], models.AppBskyRichtextFacet.Mention)
    assert found[f"@{bob_on.handle}"].did == bob_on.did
    assert found["#Goldschmiede"].tag == "Goldschmiede"


def test_a_post_the_pds_refuses_fails_on_the_variant_in_its_words(
    realnet, workspace, alice, alice_client, alice_on, monkeypatch
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    # 301 graphemes (each a letter and a combining accent): forced past the composer by
    # storing it as scheduled, and past the connector's own count, so the PDS judges it.
    text = "e\u0301" * 301
    variant = variant_for(account, alice, text)
    now = timezone.now()
    Variant.objects.filter(pk=variant.pk).update(state=State.SCHEDULED, scheduled_at=now)
    monkeypatch.setattr(Bluesky, "_check_length", lambda self, text: None)
    before = len(alice_on.records())

    for _ in range(MAX_ATTEMPTS):
        report = do_publish_due(now)
        variant.refresh_from_db()
        if variant.state == State.FAILED:
            break
        assert report.retrying == [variant.pk]
        now = variant.next_attempt_at

    assert variant.state == State.FAILED
    assert "grapheme too big (maximum 300, got 301)" in variant.error, variant.error
    assert len(alice_on.records()) == before
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE  # the post was refused, not the account
    (email,) = mail.outbox
    assert "grapheme too big" in email.body


def test_a_revoked_session_fails_the_variant_and_asks_for_a_reconnect(
    realnet, workspace, alice, alice_client, alice_on, django_capture_on_commit_callbacks
):
    name = "harken-publish-revoked"
    account = connect_with_app_password(
        alice_client, realnet, alice_on, alice_on.app_password(name)
    )
    variant = variant_for(account, alice, "New window display on Friday.")
    at = timezone.now()
    do_schedule(variant, at, actor=alice)
    alice_on.client.com.atproto.server.revoke_app_password(
        models.ComAtprotoServerRevokeAppPassword.Data(name=name)
    )
    account.refresh_from_db()
    expire_session(account)
    before = len(alice_on.records())

    with django_capture_on_commit_callbacks(execute=True):
        report = do_publish_due(at)

    assert report.failed == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    # The refresh token went with the app password ("Token has been revoked"); the
    # fresh login with that password is refused too, and that is what the variant says.
    assert "Invalid identifier or password" in variant.error, variant.error
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    assert len(alice_on.records()) == before
    assert any("Invalid identifier or password" in m.body for m in mail.outbox)
