"""Building inbound items for tests: real NormalizedItems, as a connector returns them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from harken.networks.base import NormalizedItem

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def item(external_id: str, text: str = "", minutes: int = 0, **fields: Any) -> NormalizedItem:
    values: dict[str, Any] = {
        "network": "mastodon",
        "external_id": external_id,
        "kind": "post",
        "text": text or f"Post number {external_id} about Harbor Street rings and their service",
        "created": START + timedelta(minutes=minutes),
        "author_id": f"user-{external_id}",
        "author_handle": f"user{external_id}@example.social",
        "author_followers": 10,
        "url": f"https://example.social/@user/{external_id}",
    }
    values.update(fields)
    return NormalizedItem(**values)
