"""Content-Security-Policy everywhere, no inline script in any template, and
``Cache-Control: no-store`` on every page a signed-in person sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import harken

SRC = Path(harken.__file__).parent


def test_every_answer_carries_the_policy(db, alice_client):
    for response in (Client().get(reverse("login")), alice_client.get(reverse("inbox"))):
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in directives["script-src"]
        assert "unsafe-eval" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"


def test_signed_in_pages_are_not_stored(alice_client):
    for name in ("inbox", "member_list", "settings", "source_list", "alert_rule_list"):
        response = alice_client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_a_public_answer_keeps_its_own_caching(alice_client):
    response = alice_client.get(reverse("health"))
    assert "no-store" in response["Cache-Control"]  # never_cache, set by the view itself
    anonymous = Client().get("/static/harken/forms.js")
    assert "no-store" not in anonymous.get("Cache-Control", "")


TEMPLATES = sorted(p for p in SRC.rglob("*.html") if "vendor" not in p.parts)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_inline_script(template):
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "on…= handler attribute"
    assert "javascript:" not in text
    assert "hx-on" not in text  # htmx evaluates those as script
