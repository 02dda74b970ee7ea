"""Settings › Accounts: connecting a list through the shared form view, checked with a
real SMTP server (aiosmtpd) before anything is saved."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from harken.networks.models import Account
from tests.networks.newsletter.smtp_local import PASSWORD, USER

pytestmark = pytest.mark.django_db


def form(smtp_server, **changes: object) -> dict[str, object]:
    data = {
        "name": "Harbor Street News",
        "from_email": "News@Harbor.example",
        "from_name": "Harbor Street Jewelers",
        "postal_address": "12 Harbor Street, Portland ME 04101",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_server.port,
        "smtp_security": "none",
        "smtp_user": USER,
        "smtp_password": PASSWORD,
        "per_minute": 120,
        "imap_security": "ssl",
        **changes,
    }
    return {f"newsletter-{key}": value for key, value in data.items()}


def test_the_accounts_page_offers_the_list_form(alice_client):
    page = alice_client.get(reverse("networks:accounts"))
    assert b'id="connect-newsletter"' in page.content
    assert b'name="newsletter-smtp_password"' in page.content


def test_a_list_connects_with_its_smtp_login_encrypted(alice_client, smtp_server):
    url = reverse("networks:connect_form", args=["newsletter", "smtp"])
    response = alice_client.post(url, form(smtp_server))
    assert response.status_code == 302
    account = Account.objects.get(network="newsletter")
    assert account.handle == "Harbor Street News"
    assert account.config["smtp_password"] == PASSWORD
    assert account.config["from_email"] == "news@harbor.example"
    list_id = account.external_id
    assert account.config["list_id"] == list_id and len(list_id) == 32
    # At rest the password is not readable in the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account WHERE id = %s", [account.pk])
        stored = str(cursor.fetchone()[0])
    assert PASSWORD not in stored and stored
    # Connecting again with the same name keeps the list (and its subscribers).
    alice_client.post(url, form(smtp_server, per_minute=60))
    account = Account.objects.get(network="newsletter")
    assert account.external_id == list_id and account.config["per_minute"] == 60


def test_a_refused_login_saves_nothing(alice_client, bob_client, smtp_server):
    url = reverse("networks:connect_form", args=["newsletter", "smtp"])
    response = alice_client.post(url, form(smtp_server, smtp_password="wrong"))
    assert response.status_code in (200, 400)
    assert b"refused the login" in response.content
    assert not Account.objects.exists()
    assert bob_client.post(url, form(smtp_server)).status_code == 403  # a responder
    assert not Account.objects.exists()


def test_the_accounts_page_links_a_list_to_its_subscribers(alice_client, workspace):
    account = Account.objects.create(
        workspace=workspace, network="newsletter", handle="News", external_id="l1", config={}
    )
    page = alice_client.get(reverse("networks:accounts"))
    assert reverse("networks:newsletter_import", args=[account.pk]).encode() in page.content
    from harken.networks.newsletter.models import NewsletterSubscriber

    NewsletterSubscriber.objects.create(
        workspace=workspace, account=account, email="nell@example.com", name="<b>Nell</b>"
    )
    subscribers = alice_client.get(reverse("networks:newsletter_import", args=[account.pk]))
    assert reverse("networks:newsletter_subscribe", args=["l1"]).encode() in subscribers.content
    assert (
        b"&lt;b&gt;Nell&lt;/b&gt;" in subscribers.content and b"<b>Nell" not in subscribers.content
    )
