"""The stream's 15-second poll for arrivals (``newer``) after the session ended: htmx
follows a redirect and would draw the sign-in form in the stream, so the poll answers
286, htmx's "stop polling", as the bell and the inbox list do."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_signed_out_arrivals_poll_stops_polling(client, workspace):
    answer = client.get(reverse("listening"), {"newer": "0"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 286 and answer.content == b""
    assert client.get(reverse("listening")).status_code == 302  # the page itself signs in


def test_a_signed_in_arrivals_poll_answers_the_poller(alice_client):
    answer = alice_client.get(reverse("listening"), {"newer": "0"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and 'id="stream-poller"' in answer.content.decode()
