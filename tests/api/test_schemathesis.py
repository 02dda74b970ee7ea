"""schemathesis against the OpenAPI schema: a bounded number of generated requests per
operation, with an owner's token on a workspace that has a row of each kind. No answer
may be a server error, and each must match the schema (status code, media type, body);
a request that breaks the schema must be refused.

Not checked: that every request the schema allows is accepted. The schema says what a
request looks like; a well-formed request may still break a rule of the workspace (a
snooze in the past, an assignee who is no member) and get a 400 with its reason.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from harken.contacts.models import Contact
from harken.listening.models import Source, Topic
from tests.api.conftest import make_campaign, token_for
from tests.inbox.conftest import make_conversation

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# Unknown query parameters are ignored, as a cache-buster a proxy adds must be: not sent.
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # Django closes the database connection as a WSGI request starts and ends; in a test
    # that would close the test's transaction (its test client disconnects these too).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def owner_headers(workspace, alice, server, loopback, settings):
    """A workspace with one row of each kind (ids 1), and its owner's token."""
    settings.HARKEN_API_RATE_PER_MINUTE = 1_000_000
    Topic.objects.create(workspace=workspace, name="Rings", query="ring")
    # Polled on the local server (a 404 there), never on the internet.
    Source.objects.create(
        workspace=workspace, name="Blog", kind="feed", network="feed", url=f"{server.base}/f"
    )
    # No connected account: a reply is refused with a 400, nothing is sent anywhere.
    make_conversation(workspace)
    Contact.objects.create(workspace=workspace, name="Maya", emails=["maya@example.com"])
    make_campaign(workspace)  # with a link and its clicks
    return {"Authorization": f"Bearer {token_for(alice, workspace).secret}"}


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_request_within_its_schema(case, owner_headers):
    case.call_and_validate(headers=owner_headers, excluded_checks=[positive_data_acceptance])
