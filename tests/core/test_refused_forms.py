"""A refused form: redirected to its page (a reload does not post again), with a summary
at the top that links to each field in error (``templates/_form_errors.html``)."""

from __future__ import annotations

import json

from django.contrib.sessions.models import Session
from django.urls import reverse

from harken.listening.models import AlertRule

CREATE = reverse("alert_rule_create")
BAD = {
    "name": "",
    "kind": "intent",
    "mode": "immediate",
    "email_addresses": "not-an-address",
    "webhook_url": "https://hooks.example/T000/B000/secretpart",
    "ntfy_token": "tk_secret_token",
    "enabled": "on",
}


def test_a_refused_alert_rule_redirects_to_its_page(alice_client):
    response = alice_client.post(CREATE, BAD)
    assert response.status_code == 302
    assert response["Location"] == CREATE
    assert not AlertRule.objects.exists()


def test_the_page_then_lists_each_error_linking_to_its_field(alice_client):
    alice_client.post(CREATE, BAD)
    page = alice_client.get(CREATE).content.decode()
    summary = page[page.index('class="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_name"' in summary
    assert 'href="#id_email_addresses"' in summary
    assert "not-an-address is not an email address." in summary
    # What was typed is back in the form, except secrets of password fields.
    assert 'value="https://hooks.example/T000/B000/secretpart"' in page
    assert "tk_secret_token" not in page
    # The summary comes before the first field of this long form.
    assert page.index('class="form-errors"') < page.index('name="name"')


def test_a_reload_shows_the_empty_form_and_posts_nothing(alice_client):
    alice_client.post(CREATE, BAD)
    alice_client.get(CREATE)
    again = alice_client.get(CREATE)
    assert again.status_code == 200
    assert "form-errors" not in again.content.decode()
    assert not AlertRule.objects.exists()


def test_what_waits_in_the_session_is_encrypted(alice_client):
    alice_client.post(CREATE, BAD)
    stored = [Session.objects.get(pk=alice_client.session.session_key).session_data]
    decoded = json.dumps(alice_client.session.get("refused_forms"))
    for text in (*stored, decoded):
        assert "secretpart" not in text
        assert "tk_secret_token" not in text


def test_a_valid_form_still_saves(alice_client):
    response = alice_client.post(
        CREATE,
        {**BAD, "name": "Questions", "email_addresses": "team@example.com", "webhook_url": ""},
    )
    rule = AlertRule.objects.get()
    assert response["Location"] == reverse("alert_rule_detail", args=[rule.pk])


def test_refusals_of_two_pages_do_not_mix(alice_client):
    alice_client.post(CREATE, BAD)
    page = alice_client.get(reverse("workspace_create")).content.decode()
    assert "form-errors" not in page
    assert "form-errors" in alice_client.get(CREATE).content.decode()


def test_the_workspace_form_is_refused_the_same_way(alice_client):
    url = reverse("workspace_create")
    response = alice_client.post(url, {"name": "", "time_zone": "Mars/Olympus"})
    assert response["Location"] == url
    page = alice_client.get(url).content.decode()
    assert 'href="#id_name"' in page and 'href="#id_time_zone"' in page
