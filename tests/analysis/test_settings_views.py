"""The managers' analysis page: corrections, retrain, switch on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.analysis import do_correct
from harken.analysis.adjust import do_retrain
from harken.analysis.models import WorkspaceAdjustment

PAGE = "/analysis/settings/"


@pytest.fixture
def corrected(workspace, bob):
    for text in ["<b>sick</b> deck", "so sick", "sick wheels <script>alert(1)</script>"]:
        do_correct(workspace, bob, text, "sentiment", "positive")
    return workspace


def test_a_manager_sees_the_corrections_and_their_text_escaped(alice_client, corrected):
    page = alice_client.get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'Corrections <small class="muted">3 corrections</small>' in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body


def test_a_responder_may_not_open_it(bob_client, corrected):
    assert bob_client.get(PAGE).status_code == 403
    assert bob_client.post(PAGE + "retrain/").status_code == 403


def test_retrain_fits_an_inactive_adjustment_and_shows_its_figures(alice_client, corrected):
    page = alice_client.post(PAGE + "retrain/", follow=True)
    adjustment = WorkspaceAdjustment.objects.get(workspace=corrected)
    assert not adjustment.active
    assert "Switch on" in page.content.decode()
    assert "→" in page.content.decode()


def test_retrain_without_corrections_says_so(alice_client, workspace):
    page = alice_client.post(PAGE + "retrain/", follow=True)
    assert "no corrections to learn from" in page.content.decode()
    assert not WorkspaceAdjustment.objects.exists()


def test_switch_on_and_off(alice_client, corrected):
    adjustment = do_retrain(corrected)
    alice_client.post(f"{PAGE}{adjustment.pk}/activate/")
    adjustment.refresh_from_db()
    assert adjustment.active
    alice_client.post(PAGE + "deactivate/")
    adjustment.refresh_from_db()
    assert not adjustment.active


def test_an_outsider_cannot_switch_on_another_workspaces_adjustment(charlie_client, corrected):
    adjustment = do_retrain(corrected)
    url = reverse("analysis_activate", args=[adjustment.pk])
    assert charlie_client.post(url).status_code == 404
    adjustment.refresh_from_db()
    assert not adjustment.active


def test_the_buttons_only_answer_post(alice_client, corrected):
    assert alice_client.get(PAGE + "retrain/").status_code == 405
