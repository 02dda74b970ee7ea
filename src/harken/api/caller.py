"""Who an API (or MCP) call acts as: a token, its member and workspace.

Operations take a ``Caller`` rather than a ninja request, so any front (the ninja
routers, an MCP server) calls the same functions with the same rules. ``request`` is a
plain ``HttpRequest`` carrying ``workspace``, ``member`` and ``user`` the way the pages'
``WorkspaceRequest`` does: ``harken.core.access`` and the apps' checks that take a
request (``check_role``, ``check_authority``, ``scoped``) then apply unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from harken.api.models import Token
from harken.core.access import WorkspaceRequest, check_role
from harken.core.models import Member, Role, Workspace


class ScopeMissing(PermissionDenied):
    """The token's scopes do not reach the resource (its role might)."""


@dataclass
class Caller:
    token: Token
    request: WorkspaceRequest = field(init=False)

    def __post_init__(self) -> None:
        request = HttpRequest()
        request.method = "POST"
        request.workspace = self.token.member.workspace  # type: ignore[attr-defined]
        request.member = self.token.member  # type: ignore[attr-defined]
        request.user = self.token.member.user
        self.request = request  # type: ignore[assignment]

    @property
    def member(self) -> Member:
        return self.token.member

    @property
    def workspace(self) -> Workspace:
        return self.token.member.workspace

    def needs(self, resource: str, *, write: bool = False, role: Role | str = Role.VIEWER) -> None:
        """Refuse unless the token's scopes reach ``resource`` and the member has ``role``."""
        if not self.token.allows(resource, write):
            kind = "write" if write else "read"
            raise ScopeMissing(f"This token has no {resource}:{kind} scope.")
        check_role(self.request, role)
