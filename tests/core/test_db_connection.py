"""SQLite: a server thread keeps its connection between requests, its PRAGMAs set once.

Opening a connection and running the PRAGMAs cost every request ~1-2 ms of CPU; Django's
connections are per thread, so each of waitress's threads keeps its own."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own connection setup"),
]


def test_a_request_leaves_its_connection_open_for_the_next():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    thread_connection = connections.create_connection("default")  # as a new server thread
    try:
        thread_connection.ensure_connection()
        raw = thread_connection.connection
        thread_connection.close_if_unusable_or_obsolete()  # what the end of a request does
        assert thread_connection.connection is raw
        with thread_connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
    finally:
        thread_connection.close()
