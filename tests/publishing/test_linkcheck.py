"""The gate's "link not online yet" rule, against a real local HTTP server: 200, 404, a
HEAD-refusing server, a server too slow to answer; when scheduling and at publish time."""

from __future__ import annotations

import time

import pytest

from harken.core.models import AuditEntry
from harken.networks.models import Account
from harken.publishing import linkcheck
from harken.publishing.engine import do_publish_due
from harken.publishing.gate import findings_for
from harken.publishing.links.tracking import track_links
from harken.publishing.models import Guidelines
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import State
from harken.publishing.validation import CannotSchedule
from tests.lib.localserver import Reply
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checking(settings, loopback):
    settings.PUBLISHING_LINK_CHECK = True
    linkcheck.clear_cache()
    yield
    linkcheck.clear_cache()


@pytest.fixture
def account(workspace) -> Account:
    return Account.objects.create(workspace=workspace, network="mastodon", handle="@shop@example")


def _rules(workspace, **rules) -> None:
    # Only the link rule: the others would read other posts and are tested elsewhere.
    base = {"min_gap_minutes": 0, "daily_cap": 0, "duplicate_days": 0}
    Guidelines.objects.update_or_create(workspace=workspace, defaults={"rules": base | rules})


def _rules_of(findings) -> list[str]:
    return [f.rule for f in findings]


def test_an_online_link_passes_and_a_missing_page_is_named_with_its_answer(
    workspace, account, server
):
    _rules(workspace)
    server.route("/rings", Reply(200))
    server.route("/sale", Reply(404))
    live = make_variant(account, f"New rings: {server.url('/rings')}.")
    assert findings_for(live, NOW) == []
    missing = make_variant(account, f"The sale starts: {server.url('/sale')}!")
    (finding,) = findings_for(missing, NOW)
    assert finding.rule == "link_offline"
    assert server.url("/sale") in finding.why and "answered 404" in finding.why
    assert "Publish the page on 127.0.0.1 first" in finding.fix
    assert "override" in finding.fix


def test_a_server_that_refuses_head_is_asked_with_get(workspace, account, server):
    _rules(workspace)
    # The local server scripts by path, one reply per request: HEAD gets 405, GET 200.
    server.route("/page", Reply(405), Reply(200))
    variant = make_variant(account, f"Look {server.url('/page')}")
    assert findings_for(variant, NOW) == []
    assert [seen.method for seen in server.hits("/page")] == ["HEAD", "GET"]


def test_a_link_too_slow_to_answer_is_a_finding_when_scheduling_and_the_wait_is_bounded(
    workspace, account, server
):
    _rules(workspace, link_timeout_seconds=0.3)
    server.route("/slow", Reply(200, delay=2.0))
    variant = make_variant(account, f"Soon: {server.url('/slow')}")
    started = time.monotonic()
    (finding,) = findings_for(variant, NOW)
    assert time.monotonic() - started < 1.5
    assert "nothing answered" in finding.why


def test_answers_are_kept_briefly_so_the_tick_asks_once(workspace, account, server):
    _rules(workspace)
    server.route("/rings", Reply(200))
    for n in range(3):
        variant = make_variant(account, f"Ring {n}: {server.url('/rings')}")
        assert findings_for(variant, NOW, published_only=True) == []
    assert len(server.hits("/rings")) == 1


def test_a_tracked_link_is_checked_at_its_destination(workspace, account, server):
    _rules(workspace)
    server.route("/sale", Reply(404))
    text = track_links(f"Sale: {server.url('/sale')}", workspace=workspace, network="mastodon")
    assert server.url("/sale") not in text  # the text carries Harken's short link
    variant = make_variant(account, text)
    (finding,) = findings_for(variant, NOW)
    assert server.url("/sale") in finding.why
    assert len(server.hits("/sale")) == 2  # HEAD, then GET: the destination, not /l/


def test_an_override_or_the_rule_turned_off_costs_no_request(workspace, account, server):
    server.route("/sale", Reply(404))
    variant = make_variant(account, f"Sale: {server.url('/sale')}", overrides=["link_offline"])
    _rules(workspace)
    assert findings_for(variant, NOW) == []
    variant.overrides = []
    _rules(workspace, link_timeout_seconds=0)
    assert findings_for(variant, NOW) == []
    assert server.hits("/sale") == []


def test_at_publish_time_a_missing_page_holds_but_no_answer_only_warns(workspace, account, server):
    _rules(workspace, link_timeout_seconds=0.3)
    server.route("/sale", Reply(404))
    server.route("/slow", Reply(200, delay=2.0))
    missing = make_variant(account, f"Sale: {server.url('/sale')}")
    assert _rules_of(findings_for(missing, NOW, published_only=True)) == ["link_offline"]
    slow = make_variant(account, f"Soon: {server.url('/slow')}")
    assert findings_for(slow, NOW, published_only=True) == []


def test_the_tick_holds_a_variant_whose_page_is_missing(workspace, mastodon_account, server):
    _rules(workspace)
    server.route("/sale", Reply(404))
    variant = make_variant(mastodon_account, f"Sale: {server.url('/sale')}")
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.failed == [variant.pk]
    assert variant.state == State.FAILED
    assert variant.error.startswith("Held by the guidelines: The link")
    assert "answered 404" in variant.error


def test_scheduling_refuses_a_missing_page_until_a_manager_overrides_it_with_a_reason(
    workspace, account, server
):
    _rules(workspace)
    server.route("/sale", Reply(404))
    variant = make_variant(account, f"Sale: {server.url('/sale')}", state=State.DRAFT)
    with pytest.raises(CannotSchedule) as refused:
        do_schedule(variant, NOW)
    assert "link_offline" in {p.rule for p in refused.value.problems}
    do_schedule(variant, NOW, overrides={"link_offline": "The page goes live at 11:55"})
    variant.refresh_from_db()
    assert (variant.state, variant.overrides) == (State.SCHEDULED, ["link_offline"])
    entry = AuditEntry.objects.get(action="guideline.override")
    assert entry.changes["reason"] == "The page goes live at 11:55"
