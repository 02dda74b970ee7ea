"""`harken contacts import FILE --workspace SLUG`: import customers from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harken.contacts.importing import ImportRefused, import_customers
from harken.core.models import Workspace


class Command(BaseCommand):
    help = "Manage contacts: `import FILE --workspace SLUG` imports customers from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="Import customers from a CSV file.")
        importing.add_argument("file", type=Path)
        importing.add_argument("--workspace", required=True, help="The workspace's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        with path.open("rb") as handle:
            try:
                report = import_customers(workspace, handle, path.name)
            except ImportRefused as exc:
                raise CommandError(str(exc)) from None
        if not report.ok:
            for line, reason in report.errors:
                self.stderr.write(f"{path.name}, line {line}: {reason}")
            raise CommandError(
                f"Nothing imported: {plural(len(report.errors), 'row')} to fix first."
            )
        self.stdout.write(
            f"Imported {path.name}: {plural(report.created, 'new contact')}, "
            f"{report.updated} updated."
        )


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
