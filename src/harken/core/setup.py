"""The one-time setup link that creates the first owner from the browser.

The token is derived from the secret key, so nothing is stored; it works only while
no user exists, so it is useless once setup is done.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import get_user_model


def setup_token() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"harken-setup", hashlib.sha256).hexdigest()[:32]


def setup_is_open() -> bool:
    return not get_user_model().objects.exists()


def check_setup_token(token: str) -> bool:
    return setup_is_open() and hmac.compare_digest(token, setup_token())
