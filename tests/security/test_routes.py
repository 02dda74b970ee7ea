"""Every route, walked from the URL resolver: who may reach it and with what.

An anonymous visitor reaches only the public pages; a viewer cannot post to any view that
changes state; a member of one workspace gets 404 for every row id of another. New views
join these checks by being routed, not by someone remembering to add a test.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from harken.core.models import Role, Workspace
from tests.conftest import _person, client_for


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str

    def path(self, **values: object) -> str:
        """The route's address with each parameter filled (ids from ``values``)."""

        def fill(match: re.Match) -> str:
            converter, param = match.group(1) or "str", match.group(2)
            if param in values:
                return str(values[param])
            if converter == "int":
                return "1"
            return {"fmt": "csv", "network": "mastodon", "kind": "advocates"}.get(param, "x")

        path = re.sub(r"\(\?P<code>[^)]*\)", "abc", self.pattern)  # /l/<code>'s regex
        path = re.sub(r"<(?:(\w+):)?(\w+)>", fill, path)
        return "/" + path.replace("^", "").replace("$", "")

    @property
    def ints(self) -> list[str]:
        return re.findall(r"<int:(\w+)>", self.pattern)

    @property
    def is_api(self) -> bool:
        # The JSON API (token auth) has its own matrix: tests/api/test_matrix.py.
        return self.pattern.startswith("api/v1/") or self.pattern in ("mcp", "api/^.*$")


def _walk(patterns, prefix: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield Route(p.name or str(p.pattern), prefix + str(p.pattern))


def routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.is_api]


#: Reached without signing in, each for its reason. Everything else sends an anonymous
#: visitor to the login page (or answers 403/404/405).
PUBLIC = {
    "health": "the load balancer's probe",
    "login": "signing in",
    "password_reset": "a forgotten password",
    "password_reset_done": "a forgotten password",
    "password_reset_confirm": "the e-mailed reset link (signed token)",
    "password_reset_complete": "a forgotten password",
    "setup_owner": "the first owner's one-time setup link",
    "invitation_accept": "an invitation's signed link",
    "link_follow": "a tracked short link",
    "campaign_public": "a pledge page's signed link",
    "publishing_review": "a client approval link (signed, expiring)",
    "publishing_review_media": "a client approval link's media",
    "newsletter_subscribe": "a newsletter's opt-in form",
    "newsletter_confirm": "a newsletter's opt-in confirmation (signed token)",
    "newsletter_unsubscribe": "a newsletter's unsubscribe link (signed token)",
    "calendar_feed": "the calendar's ICS feed (secret token)",
    "compose_public_media": "a signed media address a network fetches when publishing",
    "bluesky_client_metadata": "Bluesky's OAuth client metadata document",
    "facebook_webhook": "Meta's webhook (signed payloads)",
    "instagram_webhook": "Meta's webhook (signed payloads)",
}


def _listing(found: dict) -> str:
    return "\n" + "\n".join(f"{name}: {found[name]}" for name in sorted(found))


def _to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/")


def _stops_polling(response) -> bool:
    """htmx's 286 with nothing in it: a poll that stops once the session ended."""
    return response.status_code == 286 and not response.content.strip()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_reaches_only_the_public_pages(db, method):
    client = Client()
    reached = {}
    for route in routes():
        if route.name in PUBLIC:
            continue
        response = getattr(client, method)(route.path())
        if not (
            _to_login(response)
            or _stops_polling(response)
            or response.status_code in (401, 403, 404, 405)
        ):
            reached[route.name] = response.status_code
    assert not reached, _listing(reached)


#: What a viewer may post: their own session, password, notifications and presence, and
#: checks that only read. Every other post needs a higher role, refused with 403 before
#: the form is read.
VIEWER_MAY_POST = {
    "login": "signing in",
    "logout": "signing out",
    "password_change": "their own password",
    "workspace_switch": "choosing among their own workspaces",
    "workspace_create": "a new workspace of their own",
    "notification_settings": "their own notification settings",
    "notification_test": "a test notification to themselves",
    "notifications_read": "marking their own notifications read",
    "notification_open": "opening one of their own notifications",
    "analytics_report_send": "e-mailing the report to themselves",
    "analytics_report_schedule": "opting themselves in or out (the cadence checks manager)",
    "api_tokens": "a token of their own, its scopes capped at their role",
    "calendar_feed_token": "their own private calendar feed address",
    "analytics_report": "the report page shows its schedule form (posted elsewhere), saves nothing",
}


def _reads_the_body(route: Route) -> bool:
    """Whether the view looks at what was posted; one that does not answers a POST as the
    GET of a page that only reads."""
    view = get_resolver().resolve(route.path()).func
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    source = inspect.getsource(view)
    return any(word in source for word in ("POST", "FILES", "method", "bind(", ".body"))


def test_a_viewer_cannot_post_to_any_view_that_changes_state(victor):
    client = client_for(victor)
    allowed = {}
    for route in routes():
        if route.name in PUBLIC or route.name in VIEWER_MAY_POST:
            continue
        response = client.post(route.path())
        if response.status_code not in (403, 404, 405) and _reads_the_body(route):
            allowed[route.name] = response.status_code
    assert not allowed, _listing(allowed)


@pytest.fixture
def outsider_data(django_db_reset_sequences) -> Workspace:
    """The sample workspace, filled before anyone else's rows exist: the first ids of every
    table the demo fills (1, 2) are then another workspace's rows. The sequences start
    again at 1 for it (PostgreSQL keeps counting across the tests' rolled-back rows)."""
    get_user_model().objects.create_user("olga", "olga@example.com", "x" * 16)
    call_command("demo", owner=["olga"], stdout=StringIO())
    return Workspace.objects.get(is_sample=True)


OTHER_IDS = (1, 2)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_gets_404_for_every_row_of_another_workspace(outsider_data, method):
    mine = Workspace.objects.create(name="Harbor Street Jewelers", slug="harbor-street")
    client = client_for(_person("alice", mine, Role.OWNER))
    found = {}
    for route in routes():
        if not route.ints or route.name in PUBLIC:
            continue
        for pk in OTHER_IDS:
            response = getattr(client, method)(route.path(**dict.fromkeys(route.ints, pk)))
            if method == "get" and response.status_code == 302:
                # A GET that sends on to the row's own page: that page must 404.
                response = client.get(response["Location"])
            if response.status_code not in (404, 405):
                found[f"{route.name} {pk}"] = response.status_code
    assert not found, _listing(found)


def test_those_ids_are_rows_their_own_owner_opens(outsider_data):
    """The check above means something: the sample's owner opens the same addresses."""
    client = client_for(get_user_model().objects.get(username="olga"))
    opened = {
        route.name
        for route in routes()
        if route.ints and route.name not in PUBLIC
        for pk in OTHER_IDS
        if client.get(route.path(**dict.fromkeys(route.ints, pk))).status_code == 200
    }
    assert {
        "inbox_conversation",
        "contact_detail",
        "compose_edit",
        "campaign_detail",
        "topic_edit",
        "alert_rule_detail",
        "calendar_event",
    } <= opened, sorted(opened)


#: Posted to without Django's CSRF token, each for its reason (each checks its own).
CSRF_EXEMPT = {
    "facebook_webhook": "Meta signs each payload (X-Hub-Signature-256)",
    "instagram_webhook": "Meta signs each payload (X-Hub-Signature-256)",
    "newsletter_unsubscribe": "RFC 8058 one-click: the mail client posts the signed link",
}


def test_every_post_without_the_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    passed = {}
    for route in routes():
        if route.name in CSRF_EXEMPT:
            continue
        response = client.post(route.path())
        # Refused by the middleware, before the view: whether or not the row exists.
        if response.status_code != 403 or b"That form has expired" not in response.content:
            passed[route.name] = response.status_code
    assert not passed, _listing(passed)
