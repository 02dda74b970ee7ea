"""`harken report --workspace W (--month 2026-10 | --week 2026-W40) [--pdf out.pdf]
[--email a@b.example ...]`: a workspace's report, written as a PDF, e-mailed, or both.

Without --pdf or --email it prints the written summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from harken.analytics.reports.build import build
from harken.analytics.reports.periods import month, week
from harken.analytics.reports.render import email, pdf
from harken.core.models import Workspace


class Command(BaseCommand):
    help = "A workspace's weekly or monthly report as a PDF and/or an e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--month", help="A calendar month, YYYY-MM.")
        when.add_argument("--week", help="An ISO week, YYYY-Www, or any date in it.")
        parser.add_argument("--pdf", help="Write the PDF to this file.")
        parser.add_argument("--email", action="append", default=[], help="Send it here.")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        try:
            if options["month"]:
                period, cadence = month(options["month"]), "monthly"
            else:
                period, cadence = week(options["week"]), "weekly"
        except ValueError:
            raise CommandError("A month is YYYY-MM; a week is YYYY-Www or a date.") from None
        report = build(workspace, period, cadence)
        if options["pdf"]:
            Path(options["pdf"]).write_bytes(pdf(report))
            self.stdout.write(f"Wrote {options['pdf']}")
        if options["email"]:
            link = settings.BASE_URL + reverse("analytics")
            sent = email(report, options["email"], link=link).send()
            self.stdout.write(f"Sent to {', '.join(options['email'])}" if sent else "Not sent")
        if not options["pdf"] and not options["email"]:
            self.stdout.write(report.title)
            for line in report.lines:
                self.stdout.write(f"- {line}")
