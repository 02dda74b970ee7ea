"""Moving a post on the calendar: the same checks as scheduling, by drag or by form."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.publishing.calendar.moves import do_move
from harken.publishing.states import IllegalTransition, State
from harken.publishing.validation import CannotSchedule
from tests.publishing.calendar.conftest import plan

NEW_YORK = ZoneInfo("America/New_York")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def drag(client, variant, day: str, time: str = ""):
    """What calendar.js posts when a chip is dropped on a day."""
    return client.post(
        reverse("calendar_move", args=[variant.pk]),
        {"date": day, "time": time or f"{variant.scheduled_at.astimezone(NEW_YORK):%H:%M}"},
        HTTP_ACCEPT="application/json",
    )


def test_a_drag_moves_the_post_to_the_same_local_time_on_the_new_day(alice_client, shop):
    # Across the clock change: 09:00 on Saturday 7 March is 09:00 on Monday 9 March.
    variant = plan(shop, at(2030, 3, 9, 9, 0))
    response = drag(alice_client, variant, "2030-03-11")
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True, "date": "2030-03-11", "time": "09:00"}
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 11, 9, 0)
    assert variant.state == State.SCHEDULED
    assert AuditEntry.objects.filter(action="variant.move").count() == 1


def test_a_drag_onto_a_day_the_guidelines_refuse_answers_with_the_finding(alice_client, shop):
    plan(shop, at(2030, 3, 12, 9, 20), text="Pearls for the spring, in store today.")
    variant = plan(shop, at(2030, 3, 10, 9, 0), text="Engraving while you wait, all week.")
    response = drag(alice_client, variant, "2030-03-12")
    assert response.status_code == 409
    answer = json.loads(response.content)
    assert answer["ok"] is False
    assert "minutes" in answer["message"]  # the minimum gap between posts, in words
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 10, 9, 0)


def test_a_move_that_breaks_the_networks_rules_is_refused(shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0), text="x" * 501)
    with pytest.raises(CannotSchedule, match="500 characters"):
        do_move(variant, at(2030, 3, 11, 9, 0))


def test_a_published_post_cannot_move(alice_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0), state=State.PUBLISHED)
    with pytest.raises(IllegalTransition):
        do_move(variant, at(2030, 3, 11, 9, 0))
    response = drag(alice_client, variant, "2030-03-11")
    assert response.status_code == 409
    assert "gone out" in json.loads(response.content)["message"]


def test_without_javascript_the_move_form_moves_and_returns_to_the_calendar(alice_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0))
    url = reverse("calendar_move", args=[variant.pk])
    page = alice_client.get(url, {"next": "/calendar/?view=week&date=2030-03-10"})
    assert b'type="date"' in page.content and b'value="2030-03-10"' in page.content
    response = alice_client.post(
        url, {"date": "2030-03-13", "time": "16:30", "next": "/calendar/?view=week&date=2030-03-10"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?view=week&date=2030-03-10"
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 13, 16, 30)


def test_the_move_form_never_sends_anyone_to_another_site(alice_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0))
    url = reverse("calendar_move", args=[variant.pk])
    response = alice_client.post(
        url, {"date": "2030-03-13", "time": "16:30", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("calendar")
    page = alice_client.get(url, {"next": "javascript:alert(1)"}).content.decode()
    assert "javascript:alert" not in page


def test_a_refused_move_by_form_says_why_and_changes_nothing(alice_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0), text="x" * 501)
    url = reverse("calendar_move", args=[variant.pk])
    response = alice_client.post(url, {"date": "2030-03-13", "time": "16:30"}, follow=True)
    assert "It cannot go out then" in response.content.decode()
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 10, 9, 0)


def test_a_bad_date_is_a_clear_message(alice_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0))
    response = drag(alice_client, variant, "13/03/2030", "9am")
    assert "YYYY-MM-DD" in json.loads(response.content)["message"]


def test_a_viewer_may_look_but_not_move(client, victor, shop):
    from tests.conftest import client_for

    variant = plan(shop, at(2030, 3, 10, 9, 0))
    viewer = client_for(victor)
    assert viewer.get(reverse("calendar_move", args=[variant.pk])).status_code == 200
    assert drag(viewer, variant, "2030-03-11").status_code == 403


def test_another_workspaces_post_cannot_be_moved(charlie_client, shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0))
    assert drag(charlie_client, variant, "2030-03-11").status_code in (302, 404)
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 10, 9, 0)


def test_a_draft_moves_without_the_checks_it_will_get_when_scheduled(shop):
    variant = plan(shop, at(2030, 3, 10, 9, 0), text="", state=State.DRAFT)
    do_move(variant, at(2030, 3, 11, 9, 0))
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 3, 11, 9, 0) and variant.state == State.DRAFT


def test_a_failed_post_shows_the_networks_words_and_leads_to_its_retry(alice_client, shop):
    variant = plan(
        shop, at(2030, 3, 10, 9, 0), state=State.FAILED, error="401 <b>token revoked</b>"
    )
    page = alice_client.get(reverse("calendar_move", args=[variant.pk])).content.decode()
    assert "The network said: 401 &lt;b&gt;token revoked&lt;/b&gt;" in page
    assert f'href="{reverse("approvals_post", args=[variant.post_id])}"' in page
    assert "Open the post to retry it" in page


def test_a_posts_chip_moves_all_its_variants_or_none(alice_client, shop, sky):
    from harken.publishing.models import Variant

    first = plan(shop, at(2030, 5, 6, 9, 0))
    second = Variant.objects.create(
        workspace=first.workspace,
        post=first.post,
        account=sky,
        text="Bluesky's own words",
        state=State.SCHEDULED,
        scheduled_at=first.scheduled_at,
    )
    url = reverse("calendar_move_post", args=[first.post_id])
    both = f"{first.pk} {second.pk}"
    response = alice_client.post(
        url,
        {"date": "2030-05-08", "time": "11:15", "variants": both},
        HTTP_ACCEPT="application/json",
    )
    assert json.loads(response.content) == {"ok": True, "date": "2030-05-08", "time": "11:15"}
    times = set(Variant.objects.values_list("scheduled_at", flat=True))
    assert times == {at(2030, 5, 8, 11, 15)}
    # One account's variant cannot go then (a post minutes before it): neither moves.
    plan(sky, at(2030, 5, 9, 11, 5))
    refused = alice_client.post(
        url,
        {"date": "2030-05-09", "time": "11:15", "variants": both},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 409 and "minutes" in json.loads(refused.content)["message"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.scheduled_at == second.scheduled_at == at(2030, 5, 8, 11, 15)


def test_a_viewer_cannot_move_a_post(client, victor, shop):
    variant = plan(shop, at(2030, 5, 6, 9, 0))
    client.force_login(victor)
    url = reverse("calendar_move_post", args=[variant.post_id])
    response = client.post(url, {"date": "2030-05-08", "variants": str(variant.pk)})
    assert response.status_code == 403
    variant.refresh_from_db()
    assert variant.scheduled_at == at(2030, 5, 6, 9, 0)
