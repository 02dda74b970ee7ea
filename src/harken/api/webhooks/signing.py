"""Standard Webhooks signatures (https://www.standardwebhooks.com/), by its own library.

``webhook-signature`` is ``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``
under the secret's bytes (the base64 after ``whsec_``).
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook


def new_secret() -> str:
    """``whsec_`` and 24 random bytes in base64, as Standard Webhooks suggests."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def headers(secret: str, event_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The three headers for one attempt (the timestamp is the attempt's, the id the
    event's: a retry carries the same id and a fresh signature)."""
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body),
        "Content-Type": "application/json",
    }
