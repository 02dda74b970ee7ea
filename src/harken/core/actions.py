"""State changes of the core app. Each ``do_*`` function validates, changes, and audits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from harken.core.models import (
    AUTHORITY_RULES,
    AuditEntry,
    Authority,
    Invitation,
    Member,
    Role,
    Workspace,
)
from harken.core.models.invitation import hash_token
from harken.core.usernames import check_username

User = get_user_model()
log = logging.getLogger(__name__)


def audit(
    workspace: Workspace | None,
    actor: Any,
    action: str,
    target: object = "",
    **changes: Any,
) -> AuditEntry:
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target=str(target)[:200],
        changes=changes,
    )


def unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def do_create_workspace(owner: Any, name: str, time_zone: str = "UTC", **extra: Any) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError("A workspace needs a name.")
    workspace = Workspace(name=name, slug=unique_slug(name), time_zone=time_zone, **extra)
    workspace.full_clean()
    workspace.save()
    Member.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit(workspace, owner, "workspace.create", workspace)
    return workspace


def do_update_workspace(workspace: Workspace, actor: Any, name: str, time_zone: str) -> Workspace:
    before = {"name": workspace.name, "time_zone": workspace.time_zone}
    workspace.name, workspace.time_zone = name.strip(), time_zone
    workspace.full_clean(exclude=["slug"])
    workspace.save(update_fields=["name", "time_zone"])
    after = {"name": workspace.name, "time_zone": workspace.time_zone}
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        audit(workspace, actor, "workspace.update", workspace, **changed)
    return workspace


def _owners_left(workspace: Workspace, without: Member) -> int:
    return (
        Member.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=without.pk).count()
    )


def do_change_role(member: Member, actor_member: Member, role: str) -> Member:
    if role not in Role.values:
        raise ValidationError(f"{role!r} is not a role.")
    if role == Role.OWNER and not actor_member.can(Role.OWNER):
        raise ValidationError("Only an owner can make someone an owner.")
    if member.role == Role.OWNER and not actor_member.can(Role.OWNER):
        raise ValidationError("Only an owner can change an owner's role.")
    if (
        member.role == Role.OWNER
        and role != Role.OWNER
        and not _owners_left(member.workspace, member)
    ):
        raise ValidationError("A workspace must keep at least one owner.")
    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit(member.workspace, actor_member.user, "member.role", member.user, role=[before, role])
    return member


def do_remove_member(member: Member, actor_member: Member) -> None:
    if member.role == Role.OWNER and not actor_member.can(Role.OWNER):
        raise ValidationError("Only an owner can remove an owner.")
    if member.role == Role.OWNER and not _owners_left(member.workspace, member):
        raise ValidationError("A workspace must keep at least one owner.")
    audit(member.workspace, actor_member.user, "member.remove", member.user, role=member.role)
    member.delete()


def do_invite(workspace: Workspace, actor_member: Member, role: str, email: str = "") -> str:
    """Create an invitation and return its one-time token (only its hash is stored)."""
    if role not in Role.values:
        raise ValidationError(f"{role!r} is not a role.")
    if Role(role).rank > actor_member.role_enum.rank:
        raise ValidationError("You cannot invite someone with a higher role than yours.")
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        workspace=workspace,
        role=role,
        email=email,
        token_hash=token_hash,
        invited_by=actor_member.user,
        expires=Invitation.default_expiry(),
    )
    audit(workspace, actor_member.user, "invitation.create", email or "(link)", role=role)
    return token


def find_invitation(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=hash_token(token)).first()
    )
    return invitation if invitation and invitation.is_usable else None


@transaction.atomic
def do_accept_invitation(
    invitation: Invitation, user: Any = None, new_user: Callable[[], Any] | None = None
) -> Member:
    """Join the invitation's workspace as ``user``, or as the account ``new_user()`` creates.

    The invitation is claimed first, by a conditional update that only one of several
    simultaneous sign-ups can win (PostgreSQL re-checks the row after the winner commits;
    SQLite takes the write lock at BEGIN). A loser raises ``ValidationError`` before its
    account exists, and a failure after the claim rolls the claim back.
    """
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation.pk, revoked=False, accepted__isnull=True, expires__gt=now
    ).update(accepted=now)
    if claimed != 1:
        raise ValidationError("This invitation has expired or was already used.")
    if user is None:
        if new_user is None:
            raise ValueError("Give the user who joins, or how to create one.")
        try:
            with transaction.atomic():
                user = new_user()
        except IntegrityError:
            raise ValidationError("That username was taken a moment ago; choose another.") from None
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
    member = Member.objects.filter(workspace=invitation.workspace, user=user).first()
    if member is None:
        member = Member.objects.create(
            workspace=invitation.workspace, user=user, role=invitation.role
        )
    audit(invitation.workspace, user, "invitation.accept", user, role=invitation.role)
    return member


def send_invitation(workspace: Workspace, inviter: Any, email: str, link: str, role: str) -> bool:
    """Email the invitation link (the console in development); False when it failed.

    The link holds the token: it goes into the mail only, never into a log line.
    """
    who = inviter.get_username() if inviter else "Someone"
    subject = f"{who} invites you to {workspace.name} on Harken"
    body = (
        f"{who} invites you to join {workspace.name} on Harken as {Role(role).label.lower()}.\n\n"
        f"Open this link to join (it works once, for 7 days):\n{link}\n\n"
        "If you did not expect this invitation, ignore this email."
    )
    try:
        send_mail(subject, body, None, [email])
    except Exception:  # SMTP may be down: the link is still shown to the inviter
        log.warning("Could not email an invitation to workspace %s", workspace.pk, exc_info=True)
        return False
    return True


def do_revoke_invitation(invitation: Invitation, actor: Any) -> None:
    invitation.revoked = True
    invitation.save(update_fields=["revoked"])
    audit(invitation.workspace, actor, "invitation.revoke", invitation.email or "(link)")


@transaction.atomic
def do_set_authority(workspace: Workspace, actor: Any, values: dict[tuple[str, str], Any]) -> int:
    """Store each (role, key) -> value that differs from what is in force. Returns changes.

    All or nothing: one bad value leaves every rule as it was."""
    table = Authority.table(workspace)
    changed = 0
    for (role, key), raw in values.items():
        rule = AUTHORITY_RULES[key]
        value = rule.clean(raw)
        if table[key][role] == value:
            continue
        Authority.objects.update_or_create(
            workspace=workspace, role=role, key=key, defaults={"value": value}
        )
        audit(workspace, actor, "authority.set", f"{role}.{key}", value=[table[key][role], value])
        changed += 1
    return changed


def do_create_owner(username: str, email: str, password: str) -> Any:
    """Create a user who can then create workspaces (used by `harken createowner` and setup)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"A user named {username!r} already exists.")
    check_username(username)
    user = User(username=username, email=email, is_staff=True)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit(None, user, "user.create", user)
    return user
