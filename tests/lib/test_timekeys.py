"""Time keys: each one a distinct Bluesky record key, even when made in a tight loop."""

from __future__ import annotations

import time
import uuid

from harken.lib.timekeys import time_key
from harken.networks.bluesky.connector import tid_for


def test_keys_made_in_a_loop_never_share_a_record_key():
    keys = [time_key() for _ in range(20_000)]
    assert len({tid_for(str(k)) for k in keys}) == len(keys)


def test_a_key_is_a_version_1_uuid_of_now_with_no_machine_address():
    before = time.time()
    key = time_key()
    assert key.version == 1 and key.variant == uuid.RFC_4122
    seconds = (key.time - 0x01B21DD213814000) / 10_000_000
    assert before - 1 <= seconds <= time.time() + 1
    assert key.node & 0x010000000000  # multicast bit set: a random node, not a MAC


def test_record_keys_sort_in_the_order_the_keys_were_made():
    first, second = time_key(), time_key()
    assert tid_for(str(first)) < tid_for(str(second))
