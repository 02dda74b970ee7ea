"""`harken demo`: fill the sample workspace so a new user sees a living product."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from harken.core.demo import demo_fillers, do_fill_demo


class Command(BaseCommand):
    help = 'Create (or refresh) the sample workspace "Sample: Harbor Street Jewelers".'

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--owner", action="append", help="Username to make owner (default: every owner)."
        )

    def handle(self, *args: Any, owner: list[str] | None, **options: Any) -> None:
        migrate_if_needed()
        users = None
        if owner:
            users = list(get_user_model().objects.filter(username__in=owner))
            missing = set(owner) - {u.username for u in users}
            if missing:
                raise CommandError(f"No user named {', '.join(sorted(missing))}.")
        workspace = do_fill_demo(users)
        parts = ", ".join(label for label, _ in demo_fillers()) or "core"
        self.stdout.write(f"{workspace.name} is ready (sample data from: {parts}).")
        if not workspace.members.exists():
            self.stdout.write(
                "No owner can see it yet: run `harken createowner`, which joins it too."
            )


def migrate_if_needed() -> None:
    """Create or update the tables first, as `harken serve` does: `harken demo` is often
    the first command run on a fresh data folder."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
