"""`harken demo`: fill the sample workspace so a new user sees a living product."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from harken.core.demo import demo_fillers, do_fill_demo, people_changes, sample_workspace


class Command(BaseCommand):
    help = (
        'Create (or refresh) the sample workspace "Sample: Harbor Street Jewelers". '
        "When people have changed it (invited members, added topics or rules), it asks "
        "first; --reset replaces it without asking, --no-input never replaces it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--owner", action="append", help="Username to make owner (default: every owner)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Replace the sample workspace even if people changed it.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never ask: without --reset, a changed sample workspace is kept as it is.",
        )

    def handle(
        self,
        *args: Any,
        owner: list[str] | None,
        reset: bool = False,
        interactive: bool = True,
        **options: Any,
    ) -> None:
        migrate_if_needed()
        users = None
        if owner:
            users = list(get_user_model().objects.filter(username__in=owner))
            missing = set(owner) - {u.username for u in users}
            if missing:
                raise CommandError(f"No user named {', '.join(sorted(missing))}.")
        if not reset and not self.may_replace(interactive and sys.stdin.isatty()):
            return
        workspace = do_fill_demo(users)
        parts = ", ".join(label for label, _ in demo_fillers()) or "core"
        self.stdout.write(f"{workspace.name} is ready (sample data from: {parts}).")
        if not workspace.members.exists():
            self.stdout.write(
                "No owner can see it yet: run `harken createowner`, which joins it too."
            )

    def may_replace(self, can_ask: bool) -> bool:
        """True when the sample may be replaced: nobody changed it, or the person agrees."""
        workspace = sample_workspace()
        changes = people_changes(workspace) if workspace else []
        if not changes:
            return True
        listed = "\n".join(f"  - {line}" for line in changes[:10])
        more = f"\n  … and {len(changes) - 10} more" if len(changes) > 10 else ""
        self.stdout.write(
            f"{workspace} has changes made by people since `harken demo` filled it:\n{listed}{more}"
        )
        if not can_ask:
            raise CommandError(
                "The sample workspace was kept as it is, with those changes. "
                "Run `harken demo --reset` to replace it with fresh sample data."
            )
        answer = input("Replace it with fresh sample data and lose these changes? [y/N] ")
        if answer.strip().lower() in {"y", "yes"}:
            return True
        self.stdout.write("Kept the sample workspace as it is.")
        return False


def migrate_if_needed() -> None:
    """Create or update the tables first, as `harken serve` does: `harken demo` is often
    the first command run on a fresh data folder."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
