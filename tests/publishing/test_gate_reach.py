"""How far the gate reads an account's other posts: as far as its rules look, no further."""

from __future__ import annotations

from datetime import timedelta

from harken.networks.models import Account
from harken.publishing.gate import findings_for, others_for, rules_for
from harken.publishing.models import Guidelines
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant


def _account(workspace) -> Account:
    return Account.objects.create(workspace=workspace, network="mastodon", handle="@shop@example")


def _rules(workspace, **rules):
    Guidelines.objects.update_or_create(workspace=workspace, defaults={"rules": rules})
    return rules_for(workspace.pk)


def test_rules_that_read_no_other_post_read_none(workspace):
    account = _account(workspace)
    for n in range(3):
        make_variant(account, f"Window {n}", state=State.PUBLISHED, at=NOW, published_at=NOW)
    variant = make_variant(account, "Window 9", at=NOW)
    off = _rules(workspace, min_gap_minutes=0, daily_cap=0, duplicate_days=0)
    assert others_for(variant, NOW, off, published_only=True) == []
    on = _rules(workspace, min_gap_minutes=0, daily_cap=5, duplicate_days=0)
    assert len(others_for(variant, NOW, on, published_only=True)) == 3


def test_the_gap_alone_reads_its_window_and_a_late_post_counts_when_it_went_out(workspace):
    account = _account(workspace)
    far = make_variant(account, "Far", state=State.PUBLISHED, at=NOW - timedelta(hours=5))
    far.published_at = NOW - timedelta(hours=5)
    far.save()
    # Scheduled three hours ago, sent ten minutes ago: followers saw it ten minutes ago.
    late = make_variant(account, "Late", state=State.PUBLISHED, at=NOW - timedelta(hours=3))
    late.published_at = NOW - timedelta(minutes=10)
    late.save()
    variant = make_variant(account, "Now", at=NOW)
    rules = _rules(workspace, min_gap_minutes=60, daily_cap=0, duplicate_days=0)
    assert [o.text for o in others_for(variant, NOW, rules, published_only=True)] == ["Late"]
    assert [f.rule for f in findings_for(variant, NOW, published_only=True)] == ["min_gap"]
