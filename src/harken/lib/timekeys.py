"""Idempotency keys that a network can turn into a time-ordered record key.

A version 1 UUID carries a time; Bluesky's record keys (TIDs) are 53 bits of microseconds
and 10 bits of "clock id", so a key becomes a TID that is the same on every retry. Two keys
made in the same microsecond would differ only by 10 random bits there (one chance in
1,024 of the same TID), and variants created in a loop or imported from a file are made
microseconds apart. So no microsecond is handed out twice by one process; the node is
random rather than the machine's address.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

#: 100-nanosecond intervals between 1582-10-15 (the UUID epoch) and 1970-01-01.
UUID_EPOCH_OFFSET = 0x01B21DD213814000

_lock = threading.Lock()
_last_micros = 0


def time_key() -> uuid.UUID:
    """A version 1 UUID whose microsecond no earlier call of this process used."""
    global _last_micros
    with _lock:
        micros = max(time.time_ns() // 1000, _last_micros + 1)
        _last_micros = micros
    timestamp = micros * 10 + UUID_EPOCH_OFFSET
    clock_seq = secrets.randbits(14)
    node = secrets.randbits(48) | 0x010000000000  # the multicast bit: not a real address
    fields = (
        timestamp & 0xFFFFFFFF,
        (timestamp >> 32) & 0xFFFF,
        (timestamp >> 48) & 0x0FFF,
        (clock_seq >> 8) & 0x3F,
        clock_seq & 0xFF,
        node,
    )
    return uuid.UUID(fields=fields, version=1)
