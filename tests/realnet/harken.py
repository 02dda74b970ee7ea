"""Harken's side of the real-network tests: connecting Alice, polling, reading what was stored."""

from __future__ import annotations

import json
import time
from base64 import urlsafe_b64encode
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from django.urls import reverse

from harken.listening.models import Source
from harken.listening.polling import PollOutcome, poll_source
from harken.networks.models import Account
from tests.realnet.network import Network, Person


class _Forms(HTMLParser):
    """The forms of a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append((found.get("action") or "", []))
        elif tag in ("input", "select", "textarea") and self.forms and found.get("name"):
            self.forms[-1][1].append(str(found["name"]))


def app_password_form(client: Client) -> tuple[str, dict[str, str]]:
    """The Accounts page's Bluesky app-password form, as a person finds it there: its
    address and its field names (``handle``, ``app_password``, ``service``, whatever
    prefix the page gives them)."""
    page = _Forms()
    page.feed(client.get(reverse("networks:accounts")).content.decode())
    for action, names in page.forms:
        fields = {name.rsplit("-", 1)[-1]: name for name in names}
        if {"handle", "app_password", "service"} <= set(fields):
            return action, fields
    raise AssertionError("the Accounts page has no Bluesky app-password form")


def connect_with_app_password(
    client: Client, network: Network, person: Person, password: str | None = None
) -> Account:
    """Settings › Accounts › Bluesky, "Connect with the app password", against the PDS."""
    response = post_app_password(client, network, person.handle, password or person.app_password())
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Account.objects.get(network="bluesky", external_id=person.did)


def post_app_password(client: Client, network: Network, handle: str, password: str) -> Any:
    action, fields = app_password_form(client)
    values = {"handle": f"@{handle}", "app_password": password, "service": network.pds}
    return client.post(action, {fields[key]: value for key, value in values.items()})


def mentions_source(account: Account) -> Source:
    return Source.objects.get(account=account, kind=Source.Kind.ACCOUNT)


def poll(source: Source) -> PollOutcome:
    """One poll, as the worker runs it when the source is due."""
    return poll_source(source.pk, force=True)


def expired_access_jwt(access_jwt: str) -> str:
    """The same access token with its expiry moved into the past: what a saved session
    looks like after its token's two hours are up. The signature no longer matches, which
    does not matter: a client refreshes an expired token before it sends it."""
    header, payload, signature = access_jwt.split(".")
    claims = json.loads(_unpad(payload))
    claims["exp"] = int(time.time()) - 60
    encoded = urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def _unpad(part: str) -> bytes:
    from base64 import urlsafe_b64decode

    return urlsafe_b64decode(part + "=" * (-len(part) % 4))
