"""Tokens, against Bluesky's own PDS: a revoked app password asks for a reconnect in the
network's words and tells the owners; an expired access token is refreshed by one of two
workers polling at once, and both go on reading."""

from __future__ import annotations

import threading

import pytest
from atproto import models
from atproto_client.client.session import Session
from django.core import mail
from django.db import connection

from harken.listening.searches import do_add_search
from harken.networks.models import Account
from tests.realnet.harken import (
    connect_with_app_password,
    expired_access_jwt,
    mentions_source,
    poll,
)


def expire_session(account: Account) -> str:
    """Age the saved session's access token past its expiry, as two hours would; returns
    its refresh token."""
    session = Session.decode(account.config["session"])
    lifetime = session.access_jwt_payload.exp - session.access_jwt_payload.iat
    assert lifetime > 20 * 60  # longer than Harken's renewal margin: no renewal every poll
    session.access_jwt = expired_access_jwt(session.access_jwt)
    aged = {"session": session.encode(), "access_jwt": session.access_jwt, "expires_at": 1.0}
    account.config = {**account.config, **aged}
    account.save(update_fields=["config"])
    return session.refresh_jwt


def test_a_revoked_app_password_asks_for_a_reconnect_and_tells_the_owners(
    realnet, workspace, alice, alice_client, alice_on, django_capture_on_commit_callbacks
):
    name = "harken-revoked"
    account = connect_with_app_password(
        alice_client, realnet, alice_on, alice_on.app_password(name)
    )
    source = mentions_source(account)
    assert poll(source).state == "stored"
    alice_on.client.com.atproto.server.revoke_app_password(
        models.ComAtprotoServerRevokeAppPassword.Data(name=name)
    )
    expire_session(account)  # the access token outlives the revocation by up to two hours

    with django_capture_on_commit_callbacks(execute=True):
        outcome = poll(source)

    assert outcome.state == "failed"
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    # Bluesky's own words: the refresh token was revoked with the password, and the
    # password itself no longer logs in.
    assert "Invalid identifier or password" in account.last_error, account.last_error
    (email,) = mail.outbox
    assert email.to == [alice.email]
    assert "Invalid identifier or password" in email.body


@pytest.mark.django_db(transaction=True)
def test_an_expired_session_is_refreshed_once_by_two_workers_polling(
    realnet, workspace, alice, alice_client, alice_on, monkeypatch
):
    from atproto_client.namespaces.sync_ns import ComAtprotoServerNamespace

    account = connect_with_app_password(alice_client, realnet, alice_on)
    # Two sources read through the account: its mentions and a saved search, each polled
    # by its own worker at the same moment.
    sources = [
        mentions_source(account),
        do_add_search(workspace, alice, "bluesky", "rings", account, 300),
    ]
    spent = expire_session(account)
    refreshes: list[str] = []
    real_refresh = ComAtprotoServerNamespace.refresh_session

    def counted(self, *args, **kwargs):
        refreshes.append(threading.current_thread().name)
        return real_refresh(self, *args, **kwargs)

    monkeypatch.setattr(ComAtprotoServerNamespace, "refresh_session", counted)
    outcomes = []
    gate = threading.Barrier(2)

    def worker(source) -> None:
        try:
            gate.wait()
            outcomes.append(poll(source))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(s,), name=f"worker-{s.pk}") for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(refreshes) == 1, refreshes
    assert [o.state for o in outcomes] == ["stored", "stored"], outcomes
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
    assert Session.decode(account.config["session"]).refresh_jwt != spent
