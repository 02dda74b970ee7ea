"""Mastodon writes read their answer as plain JSON (Mastodon.py's typed conversion costs
more CPU than the rest of a publish); reads keep the typed answers."""

from __future__ import annotations

import pytest
from mastodon.return_types import Status

from harken.networks.base import ConnectorError
from harken.networks.mastodon.connector import _CAST
from harken.networks.registry import connector_for
from tests.publishing.mastodon_server import ACCOUNT_ID


def test_a_write_answers_plain_json_and_a_read_after_it_stays_typed(mastodon, mastodon_account):
    connector = connector_for(mastodon_account)
    status = connector.call_plain(lambda: connector.api.status_post("Garnets are in."))
    assert not isinstance(status, Status) and status["id"]
    made = connector.publish("Garnet rings are in.")
    assert made.external_id.endswith(mastodon.statuses[-1]["id"])
    listed = connector.call(lambda: connector.api.account_statuses(ACCOUNT_ID))
    assert isinstance(listed[0], Status)


def test_a_failed_write_leaves_reads_typed(mastodon, mastodon_account):
    connector = connector_for(mastodon_account)
    mastodon.fail(422, {"error": "Validation failed: Text can't be blank"}, times=3)
    with pytest.raises(ConnectorError):
        connector.publish("Garnet rings are in.")
    assert _CAST not in vars(connector.api)
