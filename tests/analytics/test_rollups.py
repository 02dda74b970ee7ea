"""Rollups from hand-built mentions and conversations: days in the business's time zone,
a mention of two topics counted once in the whole, idempotent, kept current by catch_up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from harken.analytics.figures.durations import Durations
from harken.analytics.models import ResponseDay, RollupState, Tally
from harken.analytics.rollups import (
    FORMAT,
    KEEP,
    RECENT_DAYS,
    _trimmed,
    catch_up,
    roll_all,
    roll_mention_day,
    roll_response_day,
)
from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention, Source
from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.analytics.conftest import add_mention

pytestmark = pytest.mark.django_db
UTC = dt.UTC
DEC1, DEC2 = dt.date(2026, 12, 1), dt.date(2026, 12, 2)


def counts(workspace, dimension, **filters):
    rows = Tally.objects.filter(workspace=workspace, dimension=dimension, **filters)
    return dict(rows.values_list("key").annotate(n=Sum("count")).values_list("key", "n"))


def test_a_day_is_the_business_day_and_topics_count_once_in_the_whole(new_york, brand, rival):
    # 03:00 UTC on 2 Dec is still 1 Dec in New York (22:00).
    late = dt.datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    add_mention(new_york, late, topics=(brand, rival), intents=("question", "complaint"))
    add_mention(new_york, late, handle="tom", followers=900, sentiment="negative", topics=(brand,))
    add_mention(new_york, late, is_own=True, handle="us")  # our answer: not a mention
    add_mention(new_york, dt.datetime(2026, 12, 2, 15, 0, tzinfo=UTC), language="fr")

    assert roll_mention_day(new_york, DEC1) > 0
    roll_mention_day(new_york, DEC2)
    whole = Tally.objects.get(workspace=new_york, day=DEC1, dimension="all", topic=0)
    assert (whole.count, whole.reach, whole.positive, whole.negative) == (2, 1000, 1, 1)
    assert Tally.objects.get(day=DEC1, dimension="all", topic=brand.pk).count == 2
    assert Tally.objects.get(day=DEC1, dimension="all", topic=rival.pk).count == 1
    assert counts(new_york, "intent", day=DEC1, topic=0) == {"question": 1, "complaint": 1}
    assert counts(new_york, "language", day=DEC2) == {"fr": 1}
    authors = counts(new_york, "author", day=DEC1, topic=0)
    assert sorted(authors.values()) == [1, 1] and len(authors) == 2


def test_direct_messages_stay_out_of_the_public_figures(workspace, brand):
    noon = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
    add_mention(workspace, noon, topics=(brand,))
    add_mention(workspace, noon, handle="dm", topics=(brand,), kind="message")
    roll_mention_day(workspace, DEC1)
    assert Tally.objects.get(workspace=workspace, day=DEC1, dimension="all", topic=0).count == 1
    assert Tally.objects.get(day=DEC1, dimension="all", topic=brand.pk).count == 1


def test_rolling_a_day_twice_writes_the_same_rows(workspace, brand):
    add_mention(workspace, dt.datetime(2026, 12, 1, 12, tzinfo=UTC), phrases=("late order",))
    roll_mention_day(workspace, DEC1)
    first = sorted(Tally.objects.values_list("dimension", "key", "topic", "count"))
    roll_mention_day(workspace, DEC1)
    assert sorted(Tally.objects.values_list("dimension", "key", "topic", "count")) == first
    assert counts(workspace, "phrase") == {"late order": 1}


def test_catch_up_rolls_up_only_the_days_that_gained_mentions(workspace):
    add_mention(workspace, dt.datetime(2026, 11, 20, 12, tzinfo=UTC))
    catch_up(workspace)
    assert counts(workspace, "all") == {"": 1}
    state = RollupState.objects.get(workspace=workspace)
    assert state.mention_id > 0 and not state.busy
    # A mention imported late, for an old day: the watermark finds it.
    add_mention(workspace, dt.datetime(2026, 10, 3, 12, tzinfo=UTC), handle="old")
    catch_up(workspace)
    assert Tally.objects.get(dimension="all", day=dt.date(2026, 10, 3)).count == 1
    assert counts(workspace, "all") == {"": 2}


def test_back_fill_counts_its_progress_and_drops_deleted_days(workspace):
    for day in range(1, 6):
        add_mention(workspace, dt.datetime(2026, 11, day, 12, tzinfo=UTC))
    seen: list[tuple[int, int]] = []
    roll_all(workspace, lambda done, total: seen.append((done, total)))
    state = RollupState.objects.get(workspace=workspace)
    assert state.days_done == state.days_total == seen[-1][1] > 0
    Mention.objects.filter(workspace=workspace, posted__day=3).delete()
    roll_all(workspace)
    assert not Tally.objects.filter(day=dt.date(2026, 11, 3)).exists()
    assert counts(workspace, "all") == {"": 4}


def test_the_command_back_fills_a_workspace(workspace, capsys):
    add_mention(workspace, timezone.now() - dt.timedelta(days=2))
    call_command("rollup", "--workspace", workspace.slug, "--all")
    assert "days rolled up" in capsys.readouterr().out
    assert counts(workspace, "all") == {"": 1}


def test_replies_to_our_posts_count_as_their_engagement(workspace):
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    post = Post.objects.create(workspace=workspace)
    variant = Variant.objects.create(
        workspace=workspace,
        post=post,
        account=account,
        text="hello",
        state=State.PUBLISHED,
        external_id="our-post",
    )
    at = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
    add_mention(workspace, at, in_reply_to="our-post")
    add_mention(workspace, at, in_reply_to="our-post", handle="tom")
    add_mention(workspace, at, in_reply_to="our-post", network="bluesky")  # another network
    add_mention(workspace, at, in_reply_to="someone-else")
    roll_mention_day(workspace, DEC1)
    assert counts(workspace, "post") == {str(variant.pk): 2}


def test_response_days_count_each_conversation_durations(workspace):
    began = dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    conversation = Conversation.objects.create(
        workspace=workspace,
        network="mastodon",
        root_external_id="r1",
        first_message_at=began,
        first_response_at=began + dt.timedelta(minutes=12),
        resolved_at=began + dt.timedelta(hours=3),
    )
    add_mention(workspace, began, conversation=conversation, intents=("complaint",))
    Conversation.objects.create(
        workspace=workspace, network="mastodon", root_external_id="r2", first_message_at=began
    )
    Conversation.objects.create(  # a feed is never answered: no response time to count
        workspace=workspace, network="feed", root_external_id="r3", first_message_at=began
    )
    roll_response_day(workspace, DEC1)
    rows = {r.intent: r for r in ResponseDay.objects.filter(workspace=workspace)}
    assert set(rows) == {"complaint", ""}
    complaint = rows["complaint"]
    assert Durations.from_bytes(complaint.first_response) == Durations.of([720])
    assert Durations.from_bytes(complaint.resolution) == Durations.of([3 * 3600])
    assert rows[""].conversations == 1 and len(Durations.from_bytes(rows[""].first_response)) == 0


def test_a_competitors_mention_or_a_reshare_left_unanswered_is_no_missed_answer(workspace):
    """The inbox files them apart, not owed an answer: they do not count as conversations
    waiting for one; answered after all, they count like any other."""
    began = dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    for n, intent in enumerate(("competitor_mention", "reshare", "complaint")):
        Conversation.objects.create(
            workspace=workspace,
            network="mastodon",
            root_external_id=f"r{n}",
            intent=intent,
            first_message_at=began,
        )
    Conversation.objects.create(
        workspace=workspace,
        network="mastodon",
        root_external_id="answered",
        intent="reshare",
        first_message_at=began,
        first_response_at=began + dt.timedelta(minutes=5),
    )
    roll_response_day(workspace, DEC1)
    rows = {r.intent: r for r in ResponseDay.objects.filter(workspace=workspace)}
    assert {intent: row.conversations for intent, row in rows.items()} == {
        "complaint": 1,
        "reshare": 1,
    }
    assert Durations.from_bytes(rows["reshare"].first_response) == Durations.of([300])


def test_the_queue_task_keeps_every_workspace_current(workspace, other_workspace):
    from harken.analytics.tasks import do_catch_up

    add_mention(workspace, dt.datetime(2026, 11, 20, 12, tzinfo=UTC))
    add_mention(other_workspace, dt.datetime(2026, 11, 21, 12, tzinfo=UTC), handle="x")
    assert do_catch_up() >= 2
    assert counts(workspace, "all") == {"": 1} and counts(other_workspace, "all") == {"": 1}
    assert Tally.objects.filter(workspace=workspace, day=dt.date(2026, 11, 21)).count() == 0


def test_a_new_time_zone_rolls_every_day_up_again(workspace, django_capture_on_commit_callbacks):
    # 03:00 UTC on 2 Dec: 2 Dec in UTC, 1 Dec in New York.
    add_mention(workspace, dt.datetime(2026, 12, 2, 3, tzinfo=UTC))
    roll_all(workspace)
    assert Tally.objects.get(dimension="all", topic=0).day == DEC2
    with django_capture_on_commit_callbacks(execute=True):
        workspace.time_zone = "America/New_York"
        workspace.save()
    assert Tally.objects.get(dimension="all", topic=0).day == DEC1


def test_phrases_and_authors_are_counted_under_each_topic_as_well_as_the_whole(
    workspace, brand, rival
):
    noon = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
    add_mention(workspace, noon, handle="maya", topics=(brand,), phrases=("gift wrap",))
    add_mention(
        workspace, noon, handle="tom", topics=(brand, rival), phrases=("gift wrap", "price")
    )
    add_mention(workspace, noon, handle="zed", topics=(rival,), phrases=("late order",))
    add_mention(workspace, noon, handle="ann", phrases=("hello",))  # no topic
    roll_mention_day(workspace, DEC1)
    assert counts(workspace, "phrase", topic=0) == {
        "gift wrap": 2,
        "price": 1,
        "late order": 1,
        "hello": 1,
    }
    assert counts(workspace, "phrase", topic=brand.pk) == {"gift wrap": 2, "price": 1}
    assert counts(workspace, "phrase", topic=rival.pk) == {
        "gift wrap": 1,
        "price": 1,
        "late order": 1,
    }
    handles = dict(Author.objects.values_list("pk", "handle"))

    def authors(topic):
        return sorted(handles[int(key)] for key in counts(workspace, "author", topic=topic))

    assert authors(0) == ["ann", "maya", "tom", "zed"]
    assert authors(brand.pk) == ["maya", "tom"]
    assert authors(rival.pk) == ["tom", "zed"]


def test_each_topic_and_account_keeps_its_own_busiest_phrases():
    """A day's whole crowds its long tail out (``KEEP`` phrases kept), but a small topic,
    and an account's own mentions, keep their phrases, however few mentions they had
    against the whole's."""
    cube = {("mastodon", 0, 0, "phrase", f"p{n:03}"): [200 - n, 0, 0, 0] for n in range(KEEP + 20)}
    cube[("mastodon", 7, 0, "phrase", "engraving")] = [1, 0, 0, 0]
    cube[("mastodon", 0, 3, "phrase", "gift wrap")] = [1, 0, 0, 0]
    cube[("bluesky", 0, 0, "phrase", "p000")] = [1, 0, 0, 0]  # another network: its own
    cube[("mastodon", 0, 0, "all", "")] = [500, 0, 0, 0]
    kept = {cell for cell, _ in _trimmed(cube)}
    assert len([c for c in kept if c[:4] == ("mastodon", 0, 0, "phrase")]) == KEEP
    assert ("mastodon", 0, 0, "phrase", "p000") in kept
    assert ("mastodon", 0, 0, "phrase", f"p{KEEP:03}") not in kept  # the 101st
    assert ("mastodon", 7, 0, "phrase", "engraving") in kept
    assert ("mastodon", 0, 3, "phrase", "gift wrap") in kept
    assert ("bluesky", 0, 0, "phrase", "p000") in kept and ("mastodon", 0, 0, "all", "") in kept


def _conversation(workspace, key, began, answer_minutes=None, network="mastodon"):
    return Conversation.objects.create(
        workspace=workspace,
        network=network,
        root_external_id=key,
        first_message_at=began,
        first_response_at=began + dt.timedelta(minutes=answer_minutes)
        if answer_minutes is not None
        else None,
    )


def test_response_days_split_by_the_first_mentions_topics_and_account(workspace, brand, rival):
    """Each conversation counts once under every topic, once under each topic its first
    customer mention matched, under the account that mention came through (0: a search)."""
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    ours = Source.objects.create(
        workspace=workspace, name="@us", kind="account", network="mastodon", account=account
    )
    search = Source.objects.create(workspace=workspace, name="rings", kind="search", network="x")
    began = dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    one = _conversation(workspace, "r1", began, answer_minutes=10)
    add_mention(workspace, began, conversation=one, topics=(brand,), source=ours)
    # A later message about the rival changes nothing: the first one says what it is about.
    add_mention(
        workspace, began + dt.timedelta(minutes=30), conversation=one, topics=(rival,), handle="b"
    )
    two = _conversation(workspace, "r2", began, answer_minutes=40)
    add_mention(workspace, began, conversation=two, topics=(brand, rival), source=search)
    roll_response_day(workspace, DEC1)

    def seen(**filters):
        rows = ResponseDay.objects.filter(workspace=workspace, **filters)
        return sorted(
            (r.account, r.conversations, len(Durations.from_bytes(r.first_response))) for r in rows
        )

    assert seen(topic=0) == [(0, 1, 1), (account.pk, 1, 1)]
    assert seen(topic=brand.pk) == [(0, 1, 1), (account.pk, 1, 1)]
    assert seen(topic=rival.pk) == [(0, 1, 1)]
    assert Durations.from_bytes(
        ResponseDay.objects.get(topic=rival.pk).first_response
    ) == Durations.of([40 * 60])


def test_rollups_of_an_older_format_are_rolled_up_again_once(workspace, brand):
    """An upgrade that changed what the rollups hold back-fills itself on the queue's
    next run, with its progress bar, and only once."""
    for day in (1, 2, 3):
        add_mention(
            workspace,
            dt.datetime(2026, 11, day, 12, tzinfo=UTC),
            topics=(brand,),
            phrases=("gift",),
        )
    catch_up(workspace)
    assert RollupState.objects.get(workspace=workspace).format == FORMAT
    # As an install before per-topic phrases left them: no topic's phrase rows.
    Tally.objects.filter(dimension="phrase", topic=brand.pk).delete()
    RollupState.objects.filter(workspace=workspace).update(format=FORMAT - 1)
    seen: list[tuple[int, int]] = []
    catch_up(workspace, lambda done, total: seen.append((done, total)))
    state = RollupState.objects.get(workspace=workspace)
    assert state.format == FORMAT and not state.busy
    assert counts(workspace, "phrase", topic=brand.pk) == {"gift": 3}
    # Every day from the first mention to today, mentions and conversations.
    assert seen[-1][1] == state.days_total > 2 * 30
    seen.clear()
    catch_up(workspace, lambda done, total: seen.append((done, total)))
    assert RollupState.objects.get(workspace=workspace).days_total == RECENT_DAYS
