"""Meta's webhooks for Pages and Instagram: the subscription check and the notifications.

Meta first verifies the address with a GET carrying ``hub.mode=subscribe``,
``hub.verify_token`` (the installation's ``HARKEN_FACEBOOK_WEBHOOK_TOKEN``) and
``hub.challenge``, which is echoed back only when the token matches. Each notification is
a POST whose ``X-Hub-Signature-256`` is ``sha256=`` + HMAC-SHA256 of the raw body with
the app secret; anything else is refused before the body is parsed.

A notification only says which Page or Instagram account has news (``entry[].id``);
Harken does not trust its content. It sends ``account_activity`` for the connected
accounts it names, and listening reads them through the same Graph calls a poll makes,
so polling stays the fallback and a lost notification costs only latency.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harken.lib.env import env_secret
from harken.networks.meta import graph
from harken.networks.models import Account
from harken.networks.signals import account_activity

log = logging.getLogger(__name__)

VERIFY_TOKEN = "HARKEN_FACEBOOK_WEBHOOK_TOKEN"  # noqa: S105 - the variable's name
#: Meta batches at most 1000 updates; a body bigger than this is not Meta's.
MAX_BODY = 1024 * 1024


def configured() -> bool:
    return bool(env_secret(VERIFY_TOKEN).strip() and graph.app_secret())


def signature_ok(body: bytes, header: str) -> bool:
    """Whether ``header`` is the app secret's HMAC-SHA256 of ``body`` (constant time)."""
    secret = graph.app_secret()
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header[len("sha256=") :].strip().encode())


def challenge(params: Mapping[str, str]) -> str | None:
    """The ``hub.challenge`` to echo when Meta's verification names the right token."""
    expected = env_secret(VERIFY_TOKEN).strip()
    given = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not expected:
        return None
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return None
    return params.get("hub.challenge", "")


def announced(payload: Any, object_type: str) -> set[str]:
    """The ids (Pages or Instagram accounts) a notification for ``object_type`` names."""
    if not isinstance(payload, dict) or payload.get("object") != object_type:
        return set()
    entries = payload.get("entry")
    if not isinstance(entries, list):
        return set()
    return {str(e["id"]) for e in entries if isinstance(e, dict) and e.get("id")}


def notify(network: str, ids: set[str]) -> int:
    """Send ``account_activity`` for each active account of ``network`` with one of
    ``ids``; returns how many."""
    accounts = Account.objects.filter(
        network=network, external_id__in=sorted(ids), status=Account.Status.ACTIVE
    )
    count = 0
    for account in accounts:
        account_activity.send(sender=Account, account=account)
        count += 1
    return count


def webhook_view(network: str, object_type: str) -> Callable[[HttpRequest], HttpResponse]:
    """The public address Meta calls for ``object_type`` ("page", "instagram")."""

    @csrf_exempt
    @require_http_methods(["GET", "POST"])
    def webhook(request: HttpRequest) -> HttpResponse:
        if not configured():
            return HttpResponse("Webhooks are not set up on this installation.", status=404)
        if request.method == "GET":
            echo = challenge(request.GET)
            if echo is None:
                return HttpResponse("Wrong verify token.", status=403)
            return HttpResponse(echo, content_type="text/plain")
        if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
            return HttpResponse("Too large.", status=413)
        body = request.body
        if not signature_ok(body, request.headers.get("X-Hub-Signature-256", "")):
            return HttpResponse("Bad signature.", status=403)
        try:
            payload = json.loads(body)
        except ValueError:
            return HttpResponse("Not JSON.", status=400)
        count = notify(network, announced(payload, object_type))
        log.info("Meta webhook for %s: %d account(s) to read", network, count)
        return HttpResponse("ok", content_type="text/plain")

    return webhook
