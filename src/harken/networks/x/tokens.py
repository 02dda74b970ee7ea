"""Renewing a connected X account's token, once, however many workers need it.

X's access tokens live two hours and its refresh tokens rotate: each is good for exactly
one renewal. Two workers renewing with the same refresh token would leave one of them
holding a spent token, and the account in "reconnect needed". So a renewal is claimed on
the Account row first:

1. In a short transaction, lock the row (``select_for_update``; on SQLite Harken's
   ``IMMEDIATE`` transactions take the write lock at ``BEGIN``), re-read its config and
   decide: another worker already renewed it (use theirs), another is renewing it now
   (wait and look again), or this worker claims the renewal (a claim with a deadline,
   written into the encrypted config).
2. Ask X for the new pair with no transaction open: a slow X must not hold a database lock.
3. In a second short transaction, save the new pair at once, unless the account was
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

#: Renew this long before X's expiry, so a token never runs out in the middle of a read.
MARGIN_SECONDS = 300
#: How long a claimed renewal may take before another worker may take it over.
CLAIM_SECONDS = 120
#: How often a worker waiting for another's renewal looks again.
WAIT_SECONDS = 0.2
CLAIM_KEY = "renewing"
#: The config keys a renewal rewrites.
TOKEN_KEYS = ("bearer_token", "refresh_token", "expires_at", "scope")

Renew = Callable[[str], dict[str, Any]]


def is_stale(config: dict[str, Any], now: float | None = None) -> bool:
    """Whether the access token expires within ``MARGIN_SECONDS`` (a token without an
    expiry, such as a pasted one, is never stale by the clock)."""
    expires_at = config.get("expires_at")
    if not expires_at:
        return False
    now = time.time() if now is None else now
    return float(expires_at) - now < MARGIN_SECONDS


@dataclass(frozen=True)
class _Step:
    """What the locked look at the account decided."""

    action: str  # "use" (the config is good), "wait", or "renew"
    config: dict[str, Any]
    claim: str = ""


def fresh_tokens(account_id: int, held: str, refused: bool, renew: Renew) -> dict[str, Any]:
    """The account's token keys, renewed if need be, with one request to X at most
    across all workers. ``held`` is the access token the caller has; ``refused`` says X
    just answered it with 401 (so it needs renewing even if the clock says otherwise);
    ``renew(refresh_token)`` asks X and returns the new token keys."""
    deadline = time.monotonic() + CLAIM_SECONDS
    while True:
        step = _look(account_id, held, refused)
        if step.action == "use":
            return _tokens_of(step.config)
        if step.action == "renew":
            break
        if time.monotonic() > deadline:
            raise ConnectorError("X: another worker is renewing this account's token.")
        time.sleep(WAIT_SECONDS)
    spent = step.config["refresh_token"]
    try:
        fields = renew(spent)
    except BaseException:
        _give_up(account_id, step.claim)
        raise
    return _tokens_of(_keep(account_id, spent, fields))


def _look(account_id: int, held: str, refused: bool) -> _Step:
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        config = _config(account)
        if not config.get("refresh_token") or account is None:
            raise _disconnected()
        renewed_by_another = config.get("bearer_token") != held
        if not is_stale(config) and (renewed_by_another or not refused):
            return _Step("use", config)
        claim = config.get(CLAIM_KEY) or {}
        if claim.get("until", 0) > time.time():
            return _Step("wait", config)
        mine = secrets.token_hex(8)
        config[CLAIM_KEY] = {"id": mine, "until": time.time() + CLAIM_SECONDS}
        _save(account, config)
        return _Step("renew", config, mine)


def _keep(account_id: int, spent: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Save the new pair, the moment X gave it; the old refresh token is dead already."""
    with transaction.atomic():
        account = Account.objects.select_for_update().filter(pk=account_id).first()
        config = _config(account)
        if account is None or config.get("refresh_token") != spent:
            # Disconnected (config wiped) or connected again with new tokens meanwhile:
            # the person's later choice wins over this renewal.
            if not config.get("refresh_token"):
                raise _disconnected()
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


def _save(account: Account, config: dict[str, Any]) -> None:
    account.config = cast(Any, config)  # EncryptedJSONField holds a dict
    account.save(update_fields=["config"])  # nothing else: status and errors are not ours


def _tokens_of(config: dict[str, Any]) -> dict[str, Any]:
    return {key: config.get(key) for key in TOKEN_KEYS if key in config}


def _disconnected() -> ConnectorError:
    return ConnectorError(
        "The X account was disconnected; connect it again under Settings › Accounts.",
        permanent=True,
    )
