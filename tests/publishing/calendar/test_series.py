"""Recurring series: RRULEs checked with a clear message, occurrences materialised once,
one occurrence edited on its own, the series edited for the ones nobody touched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from harken.core.models import Member
from harken.publishing.calendar.moves import do_move
from harken.publishing.calendar.series import (
    BadRule,
    do_update_series,
    materialise,
    occurrences,
    parse_rule,
)
from harken.publishing.models import Occurrence, Series, Variant
from harken.publishing.states import State

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def special(workspace, alice, shop, sky) -> Series:
    """The weekly online-only special: Wednesdays at 10:00, New York time."""
    series = Series.objects.create(
        workspace=workspace,
        title="Online-only special",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        starts=datetime(2026, 2, 4, 10, 0, tzinfo=NEW_YORK),
        text="This week's online-only special: pearl studs.",
        author=Member.objects.get(user=alice),
    )
    series.accounts.set([shop, sky])
    return series


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "Write the rule"),
        ("BYDAY=WE", "needs a FREQ"),
        ("FREQ=HOURLY", "daily at most"),
        ("FREQ=WEEKLY;BYDAY=XX", "not an iCalendar RRULE"),
        ("FREQ=WEEKLY;BYDAY=WE\nDTSTART:20260101T000000", "one RRULE line"),
    ],
)
def test_a_rule_that_cannot_be_read_says_why(rule, message):
    with pytest.raises(BadRule, match=message):
        parse_rule(rule, datetime(2026, 2, 4, 10, 0))


def test_an_end_date_and_a_count_together_are_refused():
    with pytest.raises(BadRule, match="not both"):
        parse_rule("FREQ=WEEKLY", datetime(2026, 2, 4, 10, 0), date(2026, 5, 1), 4)


def test_the_weekly_special_stays_at_ten_local_across_the_clock_change(special):
    found = occurrences(
        special,
        datetime(2026, 3, 1, tzinfo=NEW_YORK),
        datetime(2026, 3, 20, tzinfo=NEW_YORK),
    )
    assert [f"{m.astimezone(NEW_YORK):%a %d %H:%M}" for m in found] == [
        "Wed 04 10:00",
        "Wed 11 10:00",
        "Wed 18 10:00",
    ]
    assert found[0].astimezone(UTC).hour == 15 and found[1].astimezone(UTC).hour == 14


def test_materialising_makes_each_occurrence_once_with_a_variant_per_account(special):
    made = materialise(special, NOW, days=28)
    assert made == 4
    assert materialise(special, NOW, days=28) == 0  # idempotent
    assert Occurrence.objects.filter(series=special).count() == 4
    variants = Variant.objects.filter(post__occurrence__series=special)
    assert variants.count() == 8
    # Alice is an owner: her series' posts are scheduled, not held for approval.
    assert set(variants.values_list("state", flat=True)) == {State.SCHEDULED}


def test_a_series_by_someone_whose_posts_need_approval_waits_for_it(special, bob):
    special.author = Member.objects.get(user=bob)
    special.save(update_fields=["author"])
    materialise(special, NOW, days=8)
    states = set(
        Variant.objects.filter(post__occurrence__series=special).values_list("state", flat=True)
    )
    assert states == {State.AWAITING_APPROVAL}


def test_a_count_ends_the_series(special):
    special.count = 2
    special.save(update_fields=["count"])
    assert materialise(special, NOW, days=60) == 2


def test_editing_the_series_updates_future_occurrences_but_not_an_edited_one(special):
    materialise(special, NOW, days=21)  # 4, 11 and 18 February
    edited = Occurrence.objects.get(
        series=special, at=datetime(2026, 2, 11, 10, 0, tzinfo=NEW_YORK)
    )
    moved = Variant.objects.filter(post=edited.post).first()
    do_move(moved, datetime(2026, 2, 11, 14, 0, tzinfo=NEW_YORK))  # one occurrence, by hand
    edited.refresh_from_db()
    assert edited.detached

    old = {"text": special.text}
    special.text = "This week's online-only special: gold hoops."
    special.save(update_fields=["text"])
    do_update_series(special, old, NOW)

    texts = {
        o.at.astimezone(NEW_YORK).strftime("%m-%d"): set(
            o.post.variants.values_list("text", flat=True)
        )
        for o in Occurrence.objects.filter(series=special).select_related("post")
    }
    assert texts["02-04"] == texts["02-18"] == {"This week's online-only special: gold hoops."}
    assert texts["02-11"] == {"This week's online-only special: pearl studs."}


def test_an_occurrence_whose_text_was_changed_elsewhere_is_kept_too(special):
    materialise(special, NOW, days=8)
    variant = Variant.objects.filter(post__occurrence__series=special).first()
    Variant.objects.filter(pk=variant.pk).update(text="Changed in the composer.")
    do_update_series(special, {"text": special.text}, NOW)
    assert Variant.objects.filter(text="Changed in the composer.").exists()
    assert Occurrence.objects.get(post=variant.post).detached


def test_a_published_occurrence_stays_when_the_series_changes(special):
    materialise(special, NOW, days=8)
    variant = Variant.objects.filter(post__occurrence__series=special).first()
    Variant.objects.filter(pk=variant.pk).update(state=State.PUBLISHED)
    do_update_series(special, {"text": special.text}, NOW)
    assert Variant.objects.filter(pk=variant.pk).exists()


def test_the_series_page_refuses_a_bad_rule_with_its_message(alice_client, shop):
    url = reverse("calendar_series")
    alice_client.post(
        url,
        {
            "title": "Newsletter",
            "rrule": "FREQ=SOMETIMES",
            "starts": "2030-03-01T09:00",
            "text": "Our monthly letter.",
            "category": "educational",
            "accounts": [shop.pk],
        },
    )
    assert not Series.objects.exists()
    assert "not an iCalendar RRULE" in alice_client.get(url).content.decode()


def test_a_monthly_newsletter_from_the_page_is_planned_at_its_local_time(alice_client, shop):
    alice_client.post(
        reverse("calendar_series"),
        {
            "title": "Newsletter",
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "starts": "2030-03-01T09:00",
            "text": "Our monthly letter is out.",
            "category": "educational",
            "accounts": [shop.pk],
        },
    )
    series = Series.objects.get()
    assert series.starts == datetime(2030, 3, 1, 9, 0, tzinfo=NEW_YORK)
    # 1 March 2030 is more than 60 days away: nothing is materialised yet.
    assert not Occurrence.objects.exists()
    found = occurrences(series, series.starts, datetime(2030, 5, 2, tzinfo=NEW_YORK))
    assert [f"{m.astimezone(NEW_YORK):%d %b %H:%M}" for m in found] == [
        "01 Mar 09:00",
        "01 Apr 09:00",
        "01 May 09:00",
    ]


def test_the_periodic_run_materialises_every_series_and_twice_is_harmless(special):
    from harken.publishing.calendar.series import materialise_all

    first = materialise_all(NOW)
    assert first == Occurrence.objects.count() > 0
    assert materialise_all(NOW) == 0
