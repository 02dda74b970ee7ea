"""The period and filters read from the URL, in the workspace's own days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from harken.analytics.periods import Period, scope_from, today_in

pytestmark = pytest.mark.django_db


def test_the_default_is_the_last_28_days_against_the_28_before(workspace):
    scope = scope_from(workspace, QueryDict())
    today = today_in(workspace)
    assert scope.period == Period(today - dt.timedelta(days=27), today)
    assert scope.before == Period(today - dt.timedelta(days=55), today - dt.timedelta(days=28))
    assert not scope.problems


def test_chosen_dates_a_comparison_and_filters(workspace):
    scope = scope_from(
        workspace,
        QueryDict("start=2026-11-01&end=2026-11-30&compare=year&network=bluesky&topic=4"),
    )
    assert scope.period == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert scope.before == Period(dt.date(2025, 11, 2), dt.date(2025, 12, 1))
    assert (scope.network, scope.topic, scope.account) == ("bluesky", 4, 0)
    assert "start=2026-11-01" in scope.query() and "network=bluesky" in scope.query()
    assert scope_from(workspace, QueryDict("compare=none")).before is None


@pytest.mark.parametrize(
    "query",
    ["range=13", "start=2026-12-01&end=2026-11-01", "start=2020-01-01&end=2026-01-01", "start=x"],
)
def test_bad_input_falls_back_and_says_why(workspace, query):
    scope = scope_from(workspace, QueryDict(query))
    assert scope.problems and scope.period.length == 28


def test_today_is_the_workspace_day(workspace):
    workspace.time_zone = "Pacific/Kiritimati"  # UTC+14: usually a day ahead of UTC
    assert today_in(workspace) >= dt.datetime.now(dt.UTC).date()
