"""The sample jewelry store's planned month."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse

from harken.core.demo import SAMPLE_SLUG
from harken.core.models import Member, Role, Workspace
from harken.publishing import demo
from harken.publishing.models import Event, Occurrence, Series, Variant
from harken.publishing.states import State

NOW = datetime(2026, 2, 10, 16, 0, tzinfo=UTC)  # 11:00 in New York, Tuesday 10 February


def sample(alice) -> Workspace:
    workspace = Workspace.objects.create(
        name="Sample", slug=SAMPLE_SLUG, time_zone="America/New_York", is_sample=True
    )
    Member.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    return workspace


def test_the_planned_month_has_every_state_a_holiday_a_season_an_event_and_a_series(
    db, alice, client
):
    workspace = sample(alice)
    demo.fill(workspace, NOW)
    states = set(Variant.objects.filter(workspace=workspace).values_list("state", flat=True))
    assert {State.PUBLISHED, State.SCHEDULED, State.FAILED, State.AWAITING_APPROVAL} <= states
    failed = Variant.objects.get(workspace=workspace, state=State.FAILED)
    assert "401" in failed.error
    assert Event.objects.filter(workspace=workspace, title__contains="Aurora").exists()
    series = Series.objects.get(workspace=workspace)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=WE"
    assert Occurrence.objects.filter(series=series).count() >= 6

    client.force_login(alice)
    client.post(reverse("workspace_switch"), {"workspace": workspace.pk})
    response = client.get(reverse("calendar"), {"view": "month", "date": "2026-02-01"})
    events = {(e.kind, e.title) for d in response.context["days"] for e in d.events}
    assert ("holiday", "Washington's Birthday") in events
    assert ("season", "Valentine's Day") in events
    assert ("event", "Aurora Lab Diamonds promotion") in events
    chips = [c for d in response.context["days"] for c in d.chips]
    assert any(c.series for c in chips)


def test_the_month_is_the_same_every_time(db, alice):
    def snapshot():
        workspace = sample(alice)
        demo.fill(workspace, NOW)
        rows = list(
            Variant.objects.filter(workspace=workspace)
            .order_by("scheduled_at", "account__network", "text")
            .values_list("scheduled_at", "account__network", "text", "state")
        )
        workspace.delete()
        return rows

    assert snapshot() == snapshot()


def test_a_worker_holds_the_demo_accounts_posts_instead_of_failing_them(db, alice, client):
    from datetime import timedelta

    from harken.publishing.engine import do_publish_due

    workspace = sample(alice)
    demo.fill(workspace, NOW)
    variants = Variant.objects.filter(workspace=workspace)
    failed_before = set(variants.filter(state=State.FAILED).values_list("pk", flat=True))
    ahead = variants.filter(state=State.SCHEDULED)
    assert ahead.exists() and all(v.error == demo.DEMO_NOTE for v in ahead)
    # A person moved one (the hold is cleared) and a worker runs weeks later.
    moved = ahead.first()
    Variant.objects.filter(pk=moved.pk).update(next_attempt_at=None, error="")
    report = do_publish_due(NOW + timedelta(days=40))
    assert report.failed == []
    assert set(variants.filter(state=State.FAILED).values_list("pk", flat=True)) == failed_before
    moved.refresh_from_db()
    assert (moved.state, moved.error, moved.attempts) == (State.SCHEDULED, demo.DEMO_NOTE, 0)
    assert do_publish_due(NOW + timedelta(days=41)).claimed == 0  # held: not claimed again

    client.force_login(alice)
    client.post(reverse("workspace_switch"), {"workspace": workspace.pk})
    page = client.get(reverse("approvals_post", args=[moved.post_id])).content.decode()
    assert "Demo account: connect a real account to publish" in page
    assert "tried again" not in page
    month = client.get(reverse("calendar"), {"view": "list", "date": "2026-02-11"})
    assert "Demo: held" in month.content.decode()


def test_scheduling_on_a_demo_account_says_to_connect_a_real_one(db, alice):
    from harken.publishing.validation import check_variant

    workspace = sample(alice)
    demo.fill(workspace, NOW)
    held = Variant.objects.filter(workspace=workspace, state=State.SCHEDULED).first()
    [problem] = [p for p in check_variant(held) if p.rule == "account"]
    assert "is a demo account: connect a real" in problem.message
    assert "reconnecting" not in problem.message
