"""Renewing a connected X account's token: X's access tokens live two hours and its
refresh tokens rotate, so renewals go through ``harken.networks.renewal`` (one renewal
across all workers, no database lock held while X answers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harken.networks.renewal import CLAIM_KEY, TokenLayout, renew_once

__all__ = ["CLAIM_KEY", "TOKEN_KEYS", "fresh_tokens", "is_stale"]

X_TOKENS = TokenLayout(network="X", access_key="bearer_token")
#: The config keys a renewal rewrites.
TOKEN_KEYS = ("bearer_token", "refresh_token", "expires_at", "scope")


def is_stale(config: dict[str, Any], now: float | None = None) -> bool:
    return X_TOKENS.is_stale(config, now)


def fresh_tokens(
    account_id: int, held: str, refused: bool, renew: Callable[[str], dict[str, Any]]
) -> dict[str, Any]:
    """The account's token keys, renewed if need be; ``renew(refresh_token)`` asks X."""
    config = renew_once(
        X_TOKENS, account_id, held, refused, lambda current: renew(current["refresh_token"])
    )
    return {key: config[key] for key in TOKEN_KEYS if key in config}
