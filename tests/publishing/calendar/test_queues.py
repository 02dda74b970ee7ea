"""Queues: weekly slots per account, the next free one, and suggested times."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from harken.analytics.models import PostMetric
from harken.listening.models import Author, Mention
from harken.publishing.calendar.queues import (
    ENOUGH_POSTS,
    NoFreeSlot,
    next_free_slot,
    suggested_slots,
)
from harken.publishing.models import QueueSlot
from harken.publishing.states import State
from tests.publishing.calendar.conftest import plan

NEW_YORK = ZoneInfo("America/New_York")


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


@pytest.fixture
def slots(shop):
    for weekday, at in ((1, time(10, 0)), (3, time(10, 0)), (3, time(16, 0))):  # Tue, Thu
        QueueSlot.objects.create(workspace=shop.workspace, account=shop, weekday=weekday, time=at)


def test_the_next_free_slot_is_the_first_weekly_time_after_now(shop, slots):
    # Monday 2 March 2026, 12:00 → Tuesday 3 March 10:00.
    assert next_free_slot(shop, ny(2026, 3, 2, 12, 0)) == ny(2026, 3, 3, 10, 0)
    assert next_free_slot(shop, ny(2026, 3, 3, 10, 0)) == ny(2026, 3, 5, 10, 0)


def test_a_slot_another_post_holds_is_skipped(shop, slots):
    plan(shop, ny(2026, 3, 3, 10, 0))
    plan(shop, ny(2026, 3, 5, 10, 0), state=State.DRAFT)
    assert next_free_slot(shop, ny(2026, 3, 2, 12, 0)) == ny(2026, 3, 5, 16, 0)


def test_a_slot_keeps_its_local_time_after_the_clocks_change(shop, slots):
    before = next_free_slot(shop, ny(2026, 3, 2, 12, 0))
    after = next_free_slot(shop, ny(2026, 3, 9, 12, 0))
    assert before.astimezone(UTC).hour == 15 and after.astimezone(UTC).hour == 14
    assert after == ny(2026, 3, 10, 10, 0)


def test_an_account_without_slots_says_so(shop):
    with pytest.raises(NoFreeSlot, match="no queue slots"):
        next_free_slot(shop, ny(2026, 3, 2, 12, 0))


def test_add_to_queue_schedules_a_draft_in_the_next_free_slot(alice_client, shop, slots):
    variant = plan(shop, None, state=State.DRAFT)
    alice_client.post(reverse("calendar_add_to_queue", args=[variant.pk]))
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    assert variant.scheduled_at.astimezone(NEW_YORK).time() in (time(10, 0), time(16, 0))
    assert variant.scheduled_at.astimezone(NEW_YORK).weekday() in (1, 3)


def test_add_to_queue_by_someone_who_needs_approval_waits_for_it(bob_client, shop, slots):
    variant = plan(shop, None, state=State.DRAFT)
    bob_client.post(reverse("calendar_add_to_queue", args=[variant.pk]))
    variant.refresh_from_db()
    assert variant.state == State.AWAITING_APPROVAL and variant.scheduled_at is not None


def test_suggestions_are_labelled_defaults_until_the_account_has_history(shop):
    suggested = suggested_slots(shop)
    assert suggested and {s.source for s in suggested} == {"default"}


def test_with_enough_history_the_hours_that_drew_replies_come_first(workspace, shop):
    author = Author.objects.create(
        workspace=workspace, network="mastodon", external_id="fan", handle="fan"
    )
    for week in range(ENOUGH_POSTS):
        for hour in (9, 13, 18):
            at = ny(2026, 1, 5, hour, 0) + (ny(2026, 1, 12) - ny(2026, 1, 5)) * (week % 4)
            external = f"{week}-{hour}"
            plan(shop, at, state=State.PUBLISHED, external_id=external, published_at=at)
            replies = {9: 0, 13: 3, 18: 1}[hour]
            for n in range(replies):
                Mention.objects.create(
                    workspace=workspace,
                    network="mastodon",
                    external_id=f"r{external}-{n}",
                    author=author,
                    text="Lovely!",
                    posted=at,
                    in_reply_to=external,
                )
    suggested = suggested_slots(shop)
    assert suggested[0].source == "history"
    assert (suggested[0].weekday, suggested[0].time) == (0, time(13, 0))  # Mondays at 13:00
    assert suggested[0].engagement_per_post == 3.0


def test_the_networks_own_counts_rank_the_hours_where_analytics_measured_them(workspace, shop):
    """Replies say 13:00, but the likes, comments and shares analytics wrote down say
    18:00: the measured posts count by their metrics; the unmeasured by their replies."""
    author = Author.objects.create(
        workspace=workspace, network="mastodon", external_id="fan", handle="fan"
    )
    for week in range(ENOUGH_POSTS):
        for hour in (9, 13, 18):
            at = ny(2026, 1, 5, hour, 0) + (ny(2026, 1, 12) - ny(2026, 1, 5)) * (week % 4)
            external = f"{week}-{hour}"
            variant = plan(shop, at, state=State.PUBLISHED, external_id=external, published_at=at)
            if hour == 13:  # two replies read into the inbox, never measured
                for n in range(2):
                    Mention.objects.create(
                        workspace=workspace,
                        network="mastodon",
                        external_id=f"r{external}-{n}",
                        author=author,
                        text="Lovely!",
                        posted=at,
                        in_reply_to=external,
                    )
            else:  # measured: 9:00 one like; 18:00 4 likes, 1 comment, 1 share
                counts = {9: (1, 0, 0), 18: (4, 1, 1)}[hour]
                for day, latest in ((at.date(), False), (at.date().replace(day=at.day + 1), True)):
                    PostMetric.objects.create(
                        workspace=workspace,
                        variant=variant,
                        account=shop,
                        network="mastodon",
                        published=at,
                        day=day,
                        likes=counts[0] if latest else 0,  # only the newest row counts
                        comments=counts[1],
                        shares=counts[2],
                        latest=latest,
                    )
    suggested = suggested_slots(shop)
    assert [(s.weekday, s.time.hour) for s in suggested[:3]] == [(0, 18), (0, 13), (0, 9)]
    assert [s.engagement_per_post for s in suggested[:3]] == [6.0, 2.0, 1.0]
    assert {s.source for s in suggested} == {"history"}


def test_the_defaults_say_how_many_more_posts_until_history(workspace, shop, alice_client):
    for n in range(3):
        at = ny(2026, 1, 5, 9 + n, 0)
        plan(shop, at, state=State.PUBLISHED, external_id=f"p{n}", published_at=at)
    suggested = suggested_slots(shop)
    assert {(s.source, s.posts_needed) for s in suggested} == {("default", ENOUGH_POSTS - 3)}
    html = alice_client.get(reverse("calendar_queues")).content.decode()
    assert f"until the account has {ENOUGH_POSTS - 3} more published posts" in html


def test_only_a_manager_adds_slots(bob_client, alice_client, shop):
    url = reverse("calendar_queues")
    data = {"account": shop.pk, "weekday": 2, "time": "11:30"}
    assert bob_client.post(url, data).status_code == 403
    alice_client.post(url, data)
    alice_client.post(url, data)  # the same slot again is refused, not doubled
    assert QueueSlot.objects.filter(account=shop).count() == 1
    page = alice_client.get(url).content.decode()
    assert "default" in page and "Wednesday 11:30" in page
