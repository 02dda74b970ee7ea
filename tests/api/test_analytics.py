"""The dashboard's headline figures as JSON: the numbers the page computes."""

from __future__ import annotations

from harken.analytics.headlines import headlines
from harken.analytics.periods import scope_from
from harken.analytics.rollups import catch_up
from harken.api.models import ALL_SCOPES
from tests.api.conftest import token_for
from tests.api.test_operations import _mentions


def test_the_headlines_are_the_dashboards(tokens, workspace):
    _mentions(workspace, 5)
    catch_up(workspace)
    answer = tokens["viewer"].get("/analytics/headlines", range=28)
    assert answer.status_code == 200
    body = answer.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["mentions"]["value"] == 5
    from django.http import QueryDict

    page = {s.key: s.value for s in headlines(scope_from(workspace, QueryDict("range=28")))}
    assert {k: f["value"] for k, f in figures.items()} == page
    assert body["last"] >= body["first"]


def test_a_malformed_period_falls_back_and_says_so(tokens, workspace):
    body = tokens["viewer"].get("/analytics/headlines", start="2026-05-01", end="2020-01-01")
    assert body.status_code == 200 and body.json()["problems"]
    odd = tokens["viewer"].get("/analytics/headlines", range=5).json()
    assert odd["problems"] == ["That range is not offered; showing the last 28 days."]
    assert tokens["viewer"].get("/analytics/headlines", range="week").status_code == 400


def test_a_token_without_the_analytics_scope_is_refused(workspace, victor):
    api = token_for(victor, workspace, [s for s in ALL_SCOPES if not s.startswith("analytics")])
    refused = api.get("/analytics/headlines")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
