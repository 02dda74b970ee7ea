"""The composer's pages against the real database: drafts, scheduling, refusals, approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from harken.core.models import AuditEntry
from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State

pytestmark = pytest.mark.django_db

URL = "/calendar/compose/"


def future(days: int = 3, hour: int = 10) -> str:
    """A local time a few days ahead, as the datetime-local input sends it."""
    day = timezone.now() + timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def form(*accounts: Account, action: str = "draft", **extra) -> dict:
    data = {
        "accounts": [str(a.pk) for a in accounts],
        "text": "Our winter collection is in the window today.",
        "stage": "awareness",
        "category": "educational",
        "action": action,
    }
    data.update(extra)
    return data


def test_the_page_offers_accounts_that_can_publish(alice_client, x_account, sky_account, workspace):
    Account.objects.create(workspace=workspace, network="feed", handle="harbor-blog")
    page = alice_client.get(URL).content.decode()
    assert "@harborjewel" in page and "harbor.bsky.social" in page
    assert "harbor-blog" not in page  # a web feed is read, never published to


def test_the_calendar_prefills_time_and_text(alice_client, x_account):
    page = alice_client.get(URL, {"at": "2026-12-24T09:30:00+00:00", "text": "<b>Eve</b>"})
    html = page.content.decode()
    assert 'value="2026-12-24T09:30"' in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html and "<b>Eve</b>" not in html


def test_a_draft_keeps_a_variant_per_account_with_tailored_text(
    alice_client, x_account, sky_account
):
    data = form(x_account, sky_account, **{f"text_{sky_account.pk}": "Tailored for Bluesky."})
    response = alice_client.post(URL, data)
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == f"{URL}{post.pk}/"
    texts = dict(Variant.objects.values_list("account__network", "text"))
    assert texts == {"x": data["text"], "bluesky": "Tailored for Bluesky."}
    assert set(Variant.objects.values_list("state", flat=True)) == {State.DRAFT}


def test_a_text_too_long_for_x_cannot_be_scheduled_and_says_which_rule(
    alice_client, x_account, sky_account
):
    long = "Handmade rings, polished by hand in our workshop. " * 6  # 300 characters
    response = alice_client.post(
        URL, form(x_account, sky_account, action="schedule", text=long, at=future())
    )
    assert response.status_code == 302 and response.url == URL
    assert not Post.objects.exists()  # nothing saved
    page = alice_client.get(URL).content.decode()
    assert "@harborjewel (X): X allows 280 characters; this text has 300" in page
    assert "Handmade rings" in page  # what was typed is kept


def test_scheduling_uses_the_workspace_time_zone(alice_client, workspace, x_account):
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    response = alice_client.post(URL, form(x_account, action="schedule", at="2027-07-01T10:00"))
    assert response.status_code == 302
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED
    assert variant.scheduled_at == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)  # summer time


def test_a_guideline_finding_blocks_until_a_manager_overrides_it(alice_client, x_account):
    data = form(x_account, action="schedule", sponsored="on", at=future())
    alice_client.post(URL, data)
    assert not Post.objects.exists()
    assert "marked sponsored and does not say so" in alice_client.get(URL).content.decode()

    data[f"override_{x_account.pk}_disclosure"] = "The partner's own post carries the disclosure."
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED and variant.overrides == ["disclosure"]
    entry = AuditEntry.objects.get(action="guideline.override")
    assert entry.changes["reason"] == "The partner's own post carries the disclosure."


def test_a_responder_cannot_override_and_waits_for_approval(bob_client, x_account):
    data = form(x_account, action="schedule", at=future())
    data[f"override_{x_account.pk}_disclosure"] = "no"
    bob_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.AWAITING_APPROVAL and variant.overrides == []


def test_editing_an_approved_post_sends_it_back_for_approval(alice_client, bob_client, x_account):
    alice_client.post(URL, form(x_account, action="schedule", at=future()))
    post = Post.objects.get()
    assert post.variants.get().state == State.SCHEDULED
    bob_client.post(
        f"{URL}{post.pk}/", form(x_account, action="schedule", text="Changed.", at=future())
    )
    variant = post.variants.get()
    assert variant.state == State.AWAITING_APPROVAL and variant.text == "Changed."


def test_a_published_variant_cannot_be_edited(alice_client, x_account):
    alice_client.post(URL, form(x_account))
    post = Post.objects.get()
    Variant.objects.update(state=State.PUBLISHED, external_id="1")
    alice_client.post(f"{URL}{post.pk}/", form(x_account, text="Changed."))
    assert Variant.objects.get().text != "Changed."


def test_removing_an_account_drops_its_draft(alice_client, x_account, sky_account):
    alice_client.post(URL, form(x_account, sky_account))
    post = Post.objects.get()
    alice_client.post(f"{URL}{post.pk}/", form(sky_account))
    assert list(post.variants.values_list("account", flat=True)) == [sky_account.pk]


def test_the_check_counts_each_network_its_way_and_escapes(
    alice_client, x_account, sky_account, masto_account
):
    text = "<script>x</script> 🎉 https://harbor.example/rings/winter-collection-2026"
    data = form(x_account, sky_account, masto_account, text=text, at=future())
    html = alice_client.post(f"{URL}check/", data).content.decode()
    assert "<script>x</script>" not in html
    assert "45 / 280 characters" in html  # X: the emoji weighs 2, the link 23
    assert "72 / 300 graphemes" in html  # Bluesky: every grapheme, the link in full
    assert "44 / 1000 characters" in html  # this Mastodon server's own limit, links 23


def test_the_check_shows_a_thread_split_at_sentences(alice_client, sky_account):
    text = " ".join(
        f"Sentence number {n} about our <b>rings</b> and how we make them." for n in range(12)
    )
    data = form(
        sky_account,
        text=text,
        **{f"thread_{sky_account.pk}": "on", f"numbered_{sky_account.pk}": "on"},
    )
    html = alice_client.post(f"{URL}check/", data).content.decode()
    assert "Sentence number 0 about our &lt;b&gt;rings&lt;/b&gt; and how we make them." in html
    assert "<b>" not in html
    assert " 1/3" in html and " 3/3" in html
    assert "Bluesky allows" not in html  # each part fits


def test_another_workspace_cannot_open_a_post(alice_client, charlie_client, x_account):
    alice_client.post(URL, form(x_account))
    post = Post.objects.get()
    assert charlie_client.get(f"{URL}{post.pk}/").status_code == 404


def test_a_viewer_cannot_compose(client, victor, x_account):
    client.force_login(victor)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form(x_account)).status_code == 403
    assert not Post.objects.exists()


def test_links_become_tracked_short_links_unless_kept_as_written(
    alice_client, x_account, sky_account, settings
):
    from harken.publishing.models import Link

    shop, blog = "https://harbor.example/rings", "https://harbor.example/blog"
    data = form(x_account, sky_account, text=f"New rings {shop} and the story {blog}")
    data["keep_link"] = [blog]
    alice_client.post(URL, data)
    by_network = {v.account.network: v.text for v in Variant.objects.select_related("account")}
    links = {link.network: link for link in Link.objects.all()}
    assert set(links) == {"x", "bluesky"} and all(k.destination == shop for k in links.values())
    for network, text in by_network.items():
        assert f"{settings.BASE_URL}/l/{links[network].code}" in text
        assert blog in text and shop not in text
    assert links["x"].utm["utm_source"] == "x"


def test_the_edit_page_shows_each_variants_state_and_the_networks_words(alice_client, x_account):
    alice_client.post(URL, form(x_account))
    post = Post.objects.get()
    Variant.objects.update(state=State.FAILED, error="<i>Status is a duplicate</i>")
    html = alice_client.get(f"{URL}{post.pk}/").content.decode()
    assert "Failed" in html and "X said: &lt;i&gt;Status is a duplicate&lt;/i&gt;" in html


def test_plan_a_post_for_an_event_prefills_its_day_title_and_category(
    alice_client, workspace, other_workspace, x_account
):
    from datetime import date

    from harken.publishing.models import Event

    sale = Event.objects.create(
        workspace=workspace, title="Vendor trunk show", starts=date(2027, 3, 4)
    )
    html = alice_client.get(URL, {"event": sale.pk}).content.decode()
    assert 'value="2027-03-04T10:00"' in html and "Vendor trunk show" in html
    assert '<option value="event" selected>' in html
    theirs = Event.objects.create(
        workspace=other_workspace, title="Rival sale", starts=date(2027, 3, 5)
    )
    assert "Rival sale" not in alice_client.get(URL, {"event": theirs.pk}).content.decode()


def test_a_new_posts_threads_are_numbered_unless_the_author_says_not(alice_client, sky_account):
    html = alice_client.get(URL).content.decode()
    assert f'name="numbered_{sky_account.pk}" class="compose-input" checked' in html


def test_the_check_offers_no_choice_for_a_link_already_tracked(alice_client, x_account, settings):
    ours = f"{settings.BASE_URL}/l/Abc123"
    data = form(x_account, text=f"Rings {ours} and https://harbor.example/story")
    html = alice_client.post(f"{URL}check/", data).content.decode()
    assert 'value="https://harbor.example/story"' in html and f'value="{ours}"' not in html


def test_a_network_whose_replies_are_comments_offers_a_first_comment_but_no_thread(
    alice_client, workspace, sky_account
):
    insta = Account.objects.create(workspace=workspace, network="instagram", handle="harborjewel")
    html = alice_client.get(URL).content.decode()
    assert f'name="thread_{sky_account.pk}"' in html and f'name="thread_{insta.pk}"' not in html
    assert f'name="comment_{insta.pk}"' in html
