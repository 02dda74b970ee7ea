"""Which networks Harken can answer on: only their conversations are owed an answer, so
only they get due times, assignment and "new conversation" notices. A web feed is read,
never answered."""

from __future__ import annotations

from functools import cache

from harken.networks.registry import CONNECTORS, connector_class


@cache
def replyable_networks() -> frozenset[str]:
    return frozenset(n for n in CONNECTORS if "reply" in connector_class(n).capabilities)


def can_reply(network: str) -> bool:
    return network in replyable_networks()
