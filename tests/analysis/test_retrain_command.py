from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from harken.analysis import do_correct
from harken.analysis.models import WorkspaceAdjustment


def run(*args: str) -> str:
    out = StringIO()
    call_command("retrain", *args, stdout=out)
    return out.getvalue()


def test_it_prints_before_and_after_and_leaves_the_adjustment_off(workspace, bob):
    for text in ["sick deck", "so sick", "sick wheels bro", "the sick shop"]:
        do_correct(workspace, bob, text, "sentiment", "positive")
    out = run("--workspace", workspace.slug)
    assert "fitted on 4 corrections" in out
    assert "sentiment: 4 corrections, accuracy before" in out
    assert "intent: no corrections" in out
    assert not WorkspaceAdjustment.objects.get().active


def test_activate_switches_it_on(workspace, bob):
    do_correct(workspace, bob, "where are you located", "intent", "question")
    assert "is now active" in run("--workspace", workspace.slug, "--activate")
    assert WorkspaceAdjustment.objects.get().active


def test_it_refuses_an_unknown_workspace_or_one_without_corrections(workspace):
    with pytest.raises(CommandError, match="No workspace"):
        run("--workspace", "nope")
    with pytest.raises(CommandError, match="no corrections"):
        run("--workspace", workspace.slug)
