"""Sample alert rules for ``harken demo``: what a small business would start with."""

from __future__ import annotations

import datetime as dt

from harken.core.models import Workspace
from harken.listening.models import AlertDestination, AlertRule, Topic


def add_demo_rules(workspace: Workspace, email: str) -> list[AlertRule]:
    """Three rules sending to ``email``: complaints (hourly digest, quiet at night),
    negative posts from large accounts (urgent), and a spike on the first brand topic."""
    brand = Topic.objects.filter(workspace=workspace, kind=Topic.Kind.BRAND).first()
    specs = [
        dict(
            name="Complaints and questions",
            kind=AlertRule.Kind.INTENT,
            params={"intents": ["complaint", "question"]},
            mode=AlertRule.Mode.HOURLY,
            quiet_start=dt.time(21, 0),
            quiet_end=dt.time(7, 0),
        ),
        dict(
            name="Unhappy voices with a large audience",
            kind=AlertRule.Kind.INFLUENCER,
            params={"min_followers": 5000},
            urgent=True,
        ),
    ]
    if brand is not None:
        specs.append(
            dict(name=f"Spike in {brand.name}", kind=AlertRule.Kind.SPIKE, topic=brand, params={})
        )
    return [_rule(workspace, email, spec) for spec in specs]


def _rule(workspace: Workspace, email: str, spec: dict) -> AlertRule:
    rule = AlertRule(workspace=workspace, **spec)
    rule.full_clean()
    rule.save()
    AlertDestination.objects.create(
        workspace=workspace, rule=rule, kind="email", config={"addresses": [email]}
    )
    return rule
