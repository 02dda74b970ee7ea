"""Queue tasks of contacts. Thin: each calls a function tested without the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from harken.contacts.linking import link_new_authors


@db_periodic_task(crontab(minute="*"))
def link_authors_heard() -> None:
    # Every author the ingest stored gets a contact within a minute, not only when
    # someone opens the contacts pages.
    link_new_authors()
