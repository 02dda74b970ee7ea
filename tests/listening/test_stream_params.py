"""Bad query parameters on the stream: a message and a 400 or the parameter ignored, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.listening.models import Source, Topic
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("listening")
HUGE = "9" * 30  # past a 64-bit integer: SQLite and PostgreSQL refuse it as a parameter


@pytest.fixture
def source(workspace):
    source = Source.objects.create(
        workspace=workspace, name="Search", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(source, [item("1"), item("2", minutes=5)])
    return source


@pytest.mark.parametrize(
    "params, message",
    [
        ({"newer": "²"}, "New arrivals ignored (“²”)"),
        ({"newer": HUGE}, "New arrivals ignored"),
        ({"newer": "-3"}, "New arrivals ignored (“-3”)"),
        ({"before": "²"}, "Load more ignored (“²”)"),
        ({"before": HUGE}, "Load more ignored"),
    ],
)
def test_a_bad_page_anchor_answers_400_with_a_message(alice_client, source, params, message):
    response = alice_client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Traceback" not in html
    # The page is still drawn, its mentions shown, so the way back is one click away.
    assert len(response.context["mentions"]) == 2


def test_a_bad_poll_answers_400_to_htmx_too(alice_client, source):
    response = alice_client.get(URL, {"newer": "²"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "New arrivals ignored" in response.content.decode()


@pytest.mark.parametrize(
    "params, ignored",
    [
        ({"topic": HUGE}, ["Topic"]),
        ({"author": HUGE}, ["Author"]),
        ({"topic": "-1"}, ["Topic"]),
        ({"language": "e\x00n"}, ["Language"]),
        ({"q": "ring\x00"}, ["Search"]),
        ({"network": "mast\x00odon"}, ["Network"]),
    ],
)
def test_a_filter_out_of_range_is_ignored_with_a_message(alice_client, source, params, ignored):
    response = alice_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ignored:
        assert f"{label} ignored" in html
    assert len(response.context["mentions"]) == 2


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    "params, ignored",
    [
        ({"since": "0001-01-01", "until": "9999-12-31"}, ["From", "To"]),
        ({"since": "0001-01-01"}, ["From"]),
        ({"until": "9999-12-31"}, ["To"]),
        ({"since": "0001-01-02", "until": "9999-12-30"}, ["From", "To"]),
        ({"since": "1899-12-31"}, ["From"]),
    ],
)
def test_a_day_out_of_range_is_ignored_with_a_message(
    alice_client, source, workspace, zone, params, ignored
):
    # Far east and far west of UTC: midnight of the first or last day leaves the years a
    # datetime can hold once it is converted to UTC for the database.
    workspace.time_zone = zone
    workspace.save(update_fields=["time_zone"])
    response = alice_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ignored:
        assert f"{label} ignored" in html
    assert "Choose a day from 1900 to 9998." in html
    assert len(response.context["mentions"]) == 2


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_widest_days_allowed_still_work(alice_client, source, workspace, zone):
    workspace.time_zone = zone
    workspace.save(update_fields=["time_zone"])
    response = alice_client.get(URL, {"since": "1900-01-01", "until": "9998-12-31"})
    assert response.status_code == 200
    assert "ignored" not in response.content.decode()
    assert len(response.context["mentions"]) == 2


def test_a_topic_of_another_workspace_is_ignored(alice_client, source, other_workspace):
    theirs = Topic.objects.create(workspace=other_workspace, name="Theirs", query="ring")
    response = alice_client.get(URL, {"topic": theirs.pk})
    assert response.status_code == 200
    assert "Topic ignored" in response.content.decode()


def test_a_correction_of_a_mention_number_past_any_id_is_not_found(bob_client, source):
    url = reverse("mention_correct", args=[int(HUGE)])
    assert bob_client.post(url, {"sentiment": "negative"}).status_code == 404
