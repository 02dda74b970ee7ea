"""`harken rollup [--workspace SLUG] [--all]`: bring the analytics rollups up to date.

Without ``--all`` only what changed since the last run is rolled up (what the queue does
every minute); with it every day is rolled up again, with a progress line."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harken.analytics.rollups import catch_up, roll_all
from harken.core.models import Workspace


class Command(BaseCommand):
    help = "Bring the analytics rollups up to date (--all: back-fill every day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="The workspace's slug (default: every one).")
        parser.add_argument("--all", action="store_true", help="Roll up every day again.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.all()
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}.")
        for workspace in workspaces:

            def progress(done: int, total: int, name: str = workspace.name) -> None:
                sys.stderr.write(f"\r{name}: {done}/{total} days")
                sys.stderr.flush()

            roll = roll_all if options["all"] else catch_up
            days = roll(workspace, progress)
            sys.stderr.write("\n" if days else "")
            self.stdout.write(f"{workspace.name}: {days} days rolled up")
