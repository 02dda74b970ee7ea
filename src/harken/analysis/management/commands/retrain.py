"""``harken retrain --workspace SLUG [--activate]``: fit the workspace's adjustment."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from harken.analysis.adjust import do_activate, do_retrain
from harken.analysis.models import Correction
from harken.core.models import Workspace


class Command(BaseCommand):
    help = "Fit a workspace's adjustment on its team's corrections and print before/after figures."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--activate", action="store_true", help="switch the new adjustment on afterwards"
        )

    def handle(self, *args, workspace: str, activate: bool, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        if not Correction.objects.filter(workspace=found).exists():
            raise CommandError(f"{found.name} has no corrections to learn from yet.")
        adjustment = do_retrain(found)
        self.stdout.write(f"{found.name}: fitted on {adjustment.corrections} corrections")
        for field in ("sentiment", "intent"):
            self.stdout.write(self._line(field, adjustment.before, adjustment.after))
        if activate:
            do_activate(adjustment)
            self.stdout.write(self.style.SUCCESS(f"Adjustment {adjustment.pk} is now active."))
        else:
            self.stdout.write("Not active: run again with --activate, or switch it on in the app.")
        return None

    @staticmethod
    def _line(field: str, before: dict, after: dict) -> str:
        n = before.get(f"{field}_n") or 0
        if not n:
            return f"  {field}: no corrections"
        was, now = before[f"{field}_accuracy"], after[f"{field}_accuracy"]
        return f"  {field}: {n} corrections, accuracy before {was:.1%} → after {now:.1%} (held out)"
