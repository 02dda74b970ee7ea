"""`harken createowner`: create a user who owns workspaces, asking for what is missing."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from harken.core.actions import do_create_owner, do_create_workspace
from harken.core.models import Member, Role, Workspace


class Command(BaseCommand):
    help = "Create an owner (and optionally their workspace). Joins them to the sample workspace."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username")
        parser.add_argument("--email", default="")
        parser.add_argument("--workspace", help="Create this workspace, owned by the new user.")
        parser.add_argument(
            "--password-from-env",
            action="store_true",
            help="Read the password from HARKEN_OWNER_PASSWORD instead of asking.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or ask(input, "Username: ", "--username NAME").strip()
        if not username:
            raise CommandError("The username is empty: pass --username NAME.", returncode=2)
        password = self.password(options["password_from_env"])
        try:
            with transaction.atomic():
                user = do_create_owner(username, options["email"], password)
                if options["workspace"]:
                    do_create_workspace(user, options["workspace"])
                for sample in Workspace.objects.filter(is_sample=True):
                    Member.objects.get_or_create(
                        workspace=sample, user=user, defaults={"role": Role.OWNER}
                    )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Owner {username} created. Log in at /login/.")

    def password(self, from_env: bool) -> str:
        if from_env:
            password = os.environ.get("HARKEN_OWNER_PASSWORD", "")
            if not password:
                raise CommandError("HARKEN_OWNER_PASSWORD is empty.")
            return password
        hint = "--password-from-env with HARKEN_OWNER_PASSWORD set"
        first = ask(getpass.getpass, "Password: ", hint)
        if first != ask(getpass.getpass, "Password (again): ", hint):
            raise CommandError("The passwords differ.")
        return first


def ask(prompt: Callable[[str], str], question: str, instead: str) -> str:
    """Ask on the terminal; without one (a script, cron, a container) input ends at once:
    say what to pass instead, with the usage error status 2, not an EOFError traceback."""
    try:
        return prompt(question)
    except EOFError:
        raise CommandError(
            f"No {question.rstrip(': ').lower()} given, and no terminal to ask for it: "
            f"pass {instead}.",
            returncode=2,
        ) from None
