"""Refusals wear Harken's look too: a form sent without its CSRF token is explained."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_form_without_its_token_gets_the_branded_refusal(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("settings"), {"name": "X", "time_zone": "UTC"})
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "That form has expired" in page
    assert "favicon.svg" in page and "harken.css" in page
