"""A web process freezes what it built for its first request, once: Python's full
collections then walk only what later requests leave behind."""

from __future__ import annotations

import gc

import pytest
from django.core.signals import request_finished

from harken.core.settle import UID, settle_after_first_request


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    request_finished.disconnect(dispatch_uid=UID)  # if the test stopped half-way
    gc.unfreeze()


def test_the_first_request_freezes_what_the_process_holds_and_later_ones_do_not(client, unfrozen):
    settle_after_first_request()
    assert gc.get_freeze_count() == 0
    client.get("/login/")
    frozen = gc.get_freeze_count()
    assert frozen > 1000
    assert request_finished.disconnect(dispatch_uid=UID) is False  # it let go
    client.get("/login/")
    assert gc.get_freeze_count() <= frozen  # nothing more frozen (some freed)
