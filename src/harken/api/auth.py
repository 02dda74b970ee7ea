"""From a secret to a ``Caller``: the one way in for every front (the ninja routers here,
an MCP server), so each checks the token, spends its rate and records its use alike."""

from __future__ import annotations

from harken.api import ratelimit
from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.api.tokens import find_token, touch


def caller_for(secret: str) -> Caller | None:
    """The caller a live token's secret stands for; None for no such token (revoked,
    expired, wrong). Raises ``ApiError`` 429 when the token has spent its minute."""
    token = find_token(secret)
    if token is None:
        return None
    wait = ratelimit.spend(token.pk)
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests with this token; try again in {wait} s.",
            retry_after=wait,
        )
    touch(token)
    return Caller(token)
