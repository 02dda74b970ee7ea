"""Renewing a connected X account's token: before it expires, once on a 401, exactly once
however many workers need it (X's refresh tokens are single-use), kept on the account the
moment X hands it out, and a refusal ends in "reconnect needed" in X's own words."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from harken.listening.models import Source
from harken.listening.polling import poll_source
from harken.networks.base import ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.networks.x import oauth, tokens
from tests.networks.x_local import (
    CLIENT_ID,
    ME_PATH,
    TOKEN_PATH,
    form,
    me_reply,
    mentions_reply,
    refusal,
    token_reply,
    unauthorized,
)

USER_ID = "1072250532645998596"  # @TweepyDev, whose /users/me X recorded


@pytest.fixture
def x_app(monkeypatch, settings, loopback, server):
    monkeypatch.setenv("HARKEN_X_CLIENT_ID", CLIENT_ID)
    monkeypatch.delenv("HARKEN_X_CLIENT_SECRET", raising=False)
    settings.X_API_URL = server.base
    return server


def connected(workspace, expires_in: float, access: str = "access-old") -> Account:
    config = {
        "bearer_token": access,
        "refresh_token": "refresh-old",
        "expires_at": int(time.time() + expires_in),
        "user_id": USER_ID,
        "handle": "TweepyDev",
    }
    return save_connected(workspace, None, "x", USER_ID, "@TweepyDev", config)


def stored(account: Account) -> dict:
    account.refresh_from_db()
    return account.config


def test_a_token_near_expiry_is_renewed_before_the_read_and_kept_at_once(workspace, x_app):
    account = connected(workspace, expires_in=60)  # inside the renewal margin
    x_app.route(TOKEN_PATH, token_reply("access-new", "refresh-new"))
    x_app.route(ME_PATH, me_reply("access-new"))

    me = connector_for(account).me()

    assert me["username"] == "TweepyDev"
    renewal = x_app.hits(TOKEN_PATH)
    assert len(renewal) == 1
    assert form(renewal[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-old",
        "client_id": CLIENT_ID,  # a public client
    }
    config = stored(account)
    assert (config["bearer_token"], config["refresh_token"]) == ("access-new", "refresh-new")
    assert config["expires_at"] > time.time() + 7000
    assert tokens.CLAIM_KEY not in config and config["user_id"] == USER_ID


def test_a_fresh_token_is_used_as_it_is(workspace, x_app):
    account = connected(workspace, expires_in=7000)
    x_app.route(ME_PATH, me_reply("access-old"))
    connector_for(account).me()
    assert x_app.hits(TOKEN_PATH) == []


def test_a_401_renews_once_and_tries_again(workspace, x_app):
    account = connected(workspace, expires_in=7000)  # X revoked it early
    x_app.route(TOKEN_PATH, token_reply("access-new", "refresh-new"))
    x_app.route(ME_PATH, unauthorized("access-old"), me_reply("access-new"))

    assert connector_for(account).me()["id"] == USER_ID
    assert len(x_app.hits(TOKEN_PATH)) == 1 and len(x_app.hits(ME_PATH)) == 2
    assert stored(account)["bearer_token"] == "access-new"


def test_a_401_after_renewing_is_a_refusal_not_a_loop(workspace, x_app):
    account = connected(workspace, expires_in=7000)
    x_app.route(TOKEN_PATH, token_reply("access-new", "refresh-new"))
    x_app.route(ME_PATH, unauthorized("access-old"), unauthorized("access-new"))
    with pytest.raises(ConnectorError) as refused:
        connector_for(account).me()
    assert refused.value.permanent and "X refused the token: Unauthorized" in refused.value.message
    assert len(x_app.hits(TOKEN_PATH)) == 1 and len(x_app.hits(ME_PATH)) == 2


def test_a_refused_renewal_is_permanent_in_xs_words(workspace, x_app):
    account = connected(workspace, expires_in=-10)
    x_app.route(TOKEN_PATH, refusal())
    with pytest.raises(ConnectorError) as refused:
        connector_for(account).me()
    assert refused.value.permanent
    assert refused.value.message == (
        "X refused to renew the account's token: "
        "Value passed for the token was invalid. (invalid_request)"
    )
    assert x_app.hits(ME_PATH) == []
    config = stored(account)
    assert config["refresh_token"] == "refresh-old" and tokens.CLAIM_KEY not in config


def test_polling_marks_an_account_whose_renewal_x_refuses_reconnect_needed(workspace, x_app):
    account = connected(workspace, expires_in=-10)
    source = Source.objects.get(account=account)
    x_app.route(TOKEN_PATH, refusal())
    outcome = poll_source(source.pk, force=True)
    assert outcome.state == "failed"
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    assert "Value passed for the token was invalid." in account.last_error


def test_a_renewal_during_a_poll_is_not_overwritten_by_the_polls_copy(workspace, x_app):
    account = connected(workspace, expires_in=-10)
    source = Source.objects.get(account=account)
    x_app.route(TOKEN_PATH, token_reply("access-new", "refresh-new"))
    x_app.route(f"/2/users/{USER_ID}/mentions", mentions_reply("access-new"))
    outcome = poll_source(source.pk, force=True)
    assert outcome.state == "stored"
    assert len(x_app.hits(f"/2/users/{USER_ID}/mentions")) == 1  # read with the new token
    config = stored(account)
    assert (config["bearer_token"], config["refresh_token"]) == ("access-new", "refresh-new")


def test_a_transient_failure_drops_the_claim_so_the_next_try_need_not_wait(workspace, x_app):
    from tests.lib.localserver import Reply

    account = connected(workspace, expires_in=-10)
    x_app.route(TOKEN_PATH, Reply(503, "busy"))
    with pytest.raises(ConnectorError) as failed:
        connector_for(account).me()
    assert not failed.value.permanent
    assert tokens.CLAIM_KEY not in stored(account)
    assert stored(account)["refresh_token"] == "refresh-old"  # not spent: X answered 503


def test_a_reconnect_while_renewing_wins_over_the_renewal(workspace, x_app):
    account = connected(workspace, expires_in=-10)

    def renew_while_the_person_reconnects(refresh_token: str) -> dict:
        fields = oauth.Tokens("access-renewed", "refresh-renewed", None, "").as_config()
        save_connected(
            workspace,
            None,
            "x",
            USER_ID,
            "@TweepyDev",
            {**stored(account), "bearer_token": "access-person", "refresh_token": "refresh-person"},
        )
        return fields

    result = tokens.fresh_tokens(account.pk, "access-old", False, renew_while_the_person_reconnects)
    assert result["refresh_token"] == "refresh-person"
    assert stored(account)["refresh_token"] == "refresh-person"


def test_a_disconnected_account_is_not_renewed(workspace, x_app):
    from harken.networks.registry import do_disconnect

    account = connected(workspace, expires_in=-10)
    connector = connector_for(account)
    do_disconnect(account, None)
    with pytest.raises(ConnectorError) as refused:
        connector.me()
    assert refused.value.permanent and "disconnected" in refused.value.message
    assert x_app.hits(TOKEN_PATH) == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_renewing_at_once_make_one_request_and_share_its_pair(workspace, x_app):
    account = connected(workspace, expires_in=-10)
    # X takes a moment, so the second worker arrives while the first is renewing.
    x_app.route(TOKEN_PATH, token_reply("access-new", "refresh-new", delay=0.5))
    x_app.route(ME_PATH, me_reply("access-new"))
    workers = [connector_for(account) for _ in range(2)]  # each read the stale config
    results: list[object] = []
    start = threading.Barrier(len(workers))

    def work(connector) -> None:
        try:
            start.wait()
            results.append(connector.me()["username"])
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == ["TweepyDev", "TweepyDev"]
    assert len(x_app.hits(TOKEN_PATH)) == 1
    assert [w.config["bearer_token"] for w in workers] == ["access-new", "access-new"]
    assert stored(account)["refresh_token"] == "refresh-new"
