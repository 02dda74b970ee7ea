"""Signed links for the public pages: a confirmation that expires, and an unsubscribe
link that never does (an old issue's link must still work)."""

from __future__ import annotations

from django.core import signing

#: How long a confirmation link works.
CONFIRM_DAYS = 7
_CONFIRM = "harken.newsletter.confirm"
_UNSUBSCRIBE = "harken.newsletter.unsubscribe"


def confirm_token(subscriber_pk: int, email: str) -> str:
    return signing.TimestampSigner(salt=_CONFIRM).sign_object({"s": subscriber_pk, "e": email})


def read_confirm(token: str) -> tuple[int, str] | None:
    """(subscriber, address) of a good, unexpired link, else None."""
    try:
        value = signing.TimestampSigner(salt=_CONFIRM).unsign_object(
            token, max_age=CONFIRM_DAYS * 86400
        )
        return int(value["s"]), str(value["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_token(subscriber_pk: int) -> str:
    return signing.Signer(salt=_UNSUBSCRIBE).sign(str(subscriber_pk))


def read_unsubscribe(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_UNSUBSCRIBE).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
