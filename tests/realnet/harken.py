"""Harken's side of the real-network tests: connecting Alice, polling, reading what was stored."""

from __future__ import annotations

import json
import time
from base64 import urlsafe_b64encode

from django.test import Client
from django.urls import reverse

from harken.listening.models import Source
from harken.listening.polling import PollOutcome, poll_source
from harken.networks.models import Account
from tests.realnet.network import Network, Person


def connect_with_app_password(
    client: Client, network: Network, person: Person, password: str | None = None
) -> Account:
    """Settings › Accounts › Bluesky, "Connect with the app password", against the PDS."""
    response = client.post(
        reverse("networks:bluesky_connect"),
        {
            "handle": f"@{person.handle}",
            "app_password": password or person.app_password(),
            "service": network.pds,
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    return Account.objects.get(network="bluesky", external_id=person.did)


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
