"""One way to say a time, an identifier and a count on every page (templatetags ``ui``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from harken.core.templatetags.ui import action, count, exact, initials, label, language, relative

NOW = dt.datetime(2026, 2, 10, 19, 32, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (10, "just now"),
        (-10, "just now"),
        (5 * 60, "5 min ago"),
        (-5 * 60, "in 5 min"),
        (3 * 3600 + 59, "3 h ago"),
        (-3 * 3600, "in 3 h"),
        (30 * 3600, "yesterday"),
        (-30 * 3600, "tomorrow"),
        (4 * 86400, "4 days ago"),
        (-6 * 86400, "in 6 days"),
        (9 * 86400, "1 Feb"),
        (400 * 86400, "6 Jan 2025"),
    ],
)
def test_a_time_is_said_relative_to_now_then_as_a_date(seconds, words):
    with timezone.override(dt.UTC):
        assert relative(NOW - dt.timedelta(seconds=seconds), NOW) == words


def test_the_exact_time_is_said_in_the_workspace_s_zone():
    local = NOW.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert exact(local) == "Tue 10 Feb 2026, 2:32 pm EST"


def test_the_when_filter_gives_a_time_element_with_the_exact_time_on_hover():
    template = Template("{% load ui %}{{ t|when }}")
    with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        html = template.render(Context({"t": timezone.now() - dt.timedelta(minutes=12)}))
    assert html.startswith('<time datetime="') and html.endswith(">12 min ago</time>")
    assert "CET" in html or "CEST" in html
    assert Template("{% load ui %}{{ t|when }}").render(Context({"t": None})) == ""


@pytest.mark.parametrize(
    ("identifier", "words"),
    [
        ("purchase_intent", "Purchase intent"),
        ("job_seeker", "Job seeker"),
        ("x", "X"),
        ("feed", "Web feed"),
        ("bluesky", "Bluesky"),
        ("negative", "Negative"),
        ("postgresql", "PostgreSQL"),
        ("", ""),
        (None, ""),
    ],
)
def test_identifiers_are_shown_in_words(identifier, words):
    assert label(identifier) == words


def test_audit_actions_read_as_sentences_and_unknown_ones_still_read():
    assert action("member.role") == "Changed a member's role"
    assert action("rocket.launch_now") == "Rocket launch now"


@pytest.mark.parametrize(
    ("number", "noun", "words"),
    [
        (0, "mention", "0 mentions"),
        (1, "mention", "1 mention"),
        (42, "mention", "42 mentions"),
        (1204, "reply,replies", "1,204 replies"),
        (None, "item", "0 items"),
    ],
)
def test_counts_carry_their_noun(number, noun, words):
    assert count(number, noun) == words


def test_languages_and_initials():
    assert language("en") == "English"
    assert language("pt-br") in {"Brazilian Portuguese", "Portuguese"}
    assert language("zz") == "zz"
    assert initials("Harbor Street Jewelers") == "HS"
    assert initials("Sample: Harbor Street Jewelers") == "HS"
    assert initials("alice") == "A"


def test_untrusted_text_in_a_label_is_escaped_by_the_template():
    html = Template("{% load ui %}{{ v|label }}").render(Context({"v": "<script>x</script>"}))
    assert "<script>" not in html
