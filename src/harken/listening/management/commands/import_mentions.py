"""`harken import FILE --workspace SLUG`: import mentions from a CSV or JSON Lines export.

The `harken` command maps `import` to this command (a module cannot be named `import`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harken.core.models import Workspace
from harken.listening.importer import (
    ImportReport,
    Progress,
    RowError,
    check_network,
    import_file,
)

_BAR = 30


class Command(BaseCommand):
    help = (
        "Import mentions from a CSV or JSON Lines file (columns mapped by name). "
        "Re-importing a file changes nothing; an interrupted import resumes."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Its usage and errors name it as people type it: `harken import`.
        return super().create_parser(prog_name, "import", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--network", default="x", help="Network of rows without one.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN",
            help="Map one of our fields to the file's column, e.g. text=Message.",
        )
        parser.add_argument(
            "--own",
            action="append",
            default=[],
            metavar="HANDLE",
            help="A handle whose posts are our own answers (repeatable). Default: the "
            "file's is_own column, or the authors of its inbound=False rows.",
        )
        parser.add_argument("--no-enrichment", action="store_true", help="Skip analysis.")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            check_network(options["network"])
        except RowError as exc:
            raise CommandError(f"--network: {exc}.") from None
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        try:
            report = import_file(
                workspace,
                path,
                mapping=_mapping(options["map"]),
                network=options["network"],
                own_handles=set(options["own"]) or None,
                progress=None if options["quiet"] else _progress_bar,
                enrichment=not options["no_enrichment"],
            )
        except RowError as exc:
            raise CommandError(str(exc)) from None
        finally:
            if not options["quiet"]:
                sys.stderr.write("\n")
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        self.stdout.write(
            f"{report.rows} rows: {report.imported} imported, {report.already} already there, "
            f"{len(report.rejected)} rejected"
            + (f", {report.skipped} skipped (done before)" if report.skipped else "")
        )
        for line, why in report.rejected:
            self.stdout.write(f"  line {line}: {why}")


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise CommandError(f"--map {pair!r}: expected FIELD=COLUMN.")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def _progress_bar(progress: Progress) -> None:
    share = progress.done_bytes / progress.total_bytes if progress.total_bytes else 1.0
    filled = int(share * _BAR)
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (_BAR - filled)}] {share:4.0%}  {progress.lines} lines"
    )
    sys.stderr.flush()
