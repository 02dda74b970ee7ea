"""Renewing an account's OAuth tokens once, however many workers need it.

X and Bluesky both rotate refresh tokens: each is good for exactly one renewal. Two
workers renewing with the same refresh token would leave one of them holding a spent
token, and the account in "reconnect needed". So a renewal is claimed on the Account row
first:

1. In a short transaction, lock the row (``select_for_update``; on SQLite Harken's
   ``IMMEDIATE`` transactions take the write lock at ``BEGIN``), re-read its config and
   decide: another worker already renewed it (use theirs), another is renewing it now
   (wait and look again), or this worker claims the renewal (a claim with a deadline,
   written into the encrypted config).
2. Ask the network for the new tokens with no transaction open: a slow network must not
   hold a database lock (on SQLite, that would stop every other writer).
3. In a second short transaction, save the new tokens at once, unless the account was
   disconnected or connected again meanwhile (then the person's newer tokens win).

A worker that dies between 1 and 3 leaves a claim that expires after ``CLAIM_SECONDS``,
longer than any token request with its retries may take.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction

from harken.networks.base import ConnectorError
from harken.networks.models import Account

#: How long a claimed renewal may take before another worker may take it over.
CLAIM_SECONDS = 120
#: How often a worker waiting for another's renewal looks again.
WAIT_SECONDS = 0.2
CLAIM_KEY = "renewing"

#: Asks the network with the account's config; returns the config keys to update.
Renew = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class TokenLayout:
    """Where one network keeps its tokens in an account's config."""

    network: str  # as people read it, for messages: "X", "Bluesky"
    access_key: str  # the config key of the access token
    margin: float = 300.0  # renew this long before expiry, never mid-read

    def is_stale(self, config: dict[str, Any], now: float | None = None) -> bool:
        """Whether the access token expires within ``margin`` seconds (a token without
        an expiry, such as a pasted one, is never stale by the clock)."""
        expires_at = config.get("expires_at")
        if not expires_at:
            return False
        now = time.time() if now is None else now
        return float(expires_at) - now < self.margin


@dataclass(frozen=True)
class _Step:
    """What the locked look at the account decided."""

    action: str  # "use" (the config is good), "wait", or "renew"
    config: dict[str, Any]
    claim: str = ""


def renew_once(
    tokens: TokenLayout, account_id: int, held: str, refused: bool, renew: Renew
) -> dict[str, Any]:
    """The account's config with a usable token, renewed if need be, with one request to
    the network at most across all workers. ``held`` is the access token the caller has;
    ``refused`` says the network just answered it with 401 (so it needs renewing even if
    the clock says otherwise)."""
    deadline = time.monotonic() + CLAIM_SECONDS
    while True:
        step = _look(tokens, account_id, held, refused)
        if step.action == "use":
            return _without_claim(step.config)
        if step.action == "renew":
            break
        if time.monotonic() > deadline:
            raise ConnectorError(
                f"{tokens.network}: another worker is renewing this account's token."
            )
        time.sleep(WAIT_SECONDS)
    spent = step.config["refresh_token"]
    try:
        fields = renew(_without_claim(step.config))
    except BaseException:
        _give_up(account_id, step.claim)
        raise
    return _without_claim(_keep(tokens, account_id, spent, fields))


def _look(tokens: TokenLayout, account_id: int, held: str, refused: bool) -> _Step:
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        config = _config(account)
        if not config.get("refresh_token") or account is None:
            raise _disconnected(tokens)
        renewed_by_another = config.get(tokens.access_key) != held
        if not tokens.is_stale(config) and (renewed_by_another or not refused):
            return _Step("use", config)
        claim = config.get(CLAIM_KEY) or {}
        if claim.get("until", 0) > time.time():
            return _Step("wait", config)
        mine = secrets.token_hex(8)
        config[CLAIM_KEY] = {"id": mine, "until": time.time() + CLAIM_SECONDS}
        _save(account, config)
        return _Step("renew", config, mine)


def _keep(
    tokens: TokenLayout, account_id: int, spent: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Save the new tokens the moment the network gave them; the old refresh token is dead."""
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        config = _config(account)
        if account is None or config.get("refresh_token") != spent:
            # Disconnected (config wiped) or connected again with new tokens meanwhile:
            # the person's later choice wins over this renewal.
            if not config.get("refresh_token"):
                raise _disconnected(tokens)
            return config
        config.pop(CLAIM_KEY, None)
        config.update(fields)
        _save(account, config)
        return config


def _give_up(account_id: int, claim: str) -> None:
    """The renewal failed: drop this worker's claim so the next try need not wait for it."""
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        config = _config(account)
        if account is not None and (config.get(CLAIM_KEY) or {}).get("id") == claim:
            config.pop(CLAIM_KEY)
            _save(account, config)


def _config(account: Account | None) -> dict[str, Any]:
    return dict(cast(dict[str, Any], account.config) or {}) if account is not None else {}


def _without_claim(config: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in config.items() if key != CLAIM_KEY}


def _save(account: Account, config: dict[str, Any]) -> None:
    account.config = cast(Any, config)  # EncryptedJSONField holds a dict
    account.save(update_fields=["config"])  # nothing else: status and errors are not ours


def _disconnected(tokens: TokenLayout) -> ConnectorError:
    return ConnectorError(
        f"The {tokens.network} account was disconnected; connect it again under "
        "Settings › Accounts.",
        permanent=True,
    )
