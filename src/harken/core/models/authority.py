"""What each role may do in a workspace, kept as data the owner edits.

The rules Harken knows are declared once in ``AUTHORITY_RULES`` with a default per role;
an ``Authority`` row stores a workspace's own value for one role and rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from harken.core.models.member import Role
from harken.core.models.workspace import Workspace


@dataclass(frozen=True)
class AuthorityRule:
    key: str
    label: str
    kind: type  # bool or int
    defaults: dict[str, Any]  # role -> value

    @property
    def is_bool(self) -> bool:
        return self.kind is bool

    def clean(self, raw: Any) -> Any:
        """Turn a form or JSON value into this rule's type, or raise ValueError."""
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw
            return str(raw).lower() in {"1", "true", "on", "yes"}
        value = int(raw)
        if value < 0:
            raise ValueError(f"{self.label} cannot be negative.")
        return value


AUTHORITY_RULES: dict[str, AuthorityRule] = {
    rule.key: rule
    for rule in [
        AuthorityRule(
            "refund_limit",
            "May promise refunds up to (in the workspace's currency)",
            int,
            {"owner": 1_000_000, "manager": 500, "responder": 50, "viewer": 0},
        ),
        AuthorityRule(
            "posts_need_approval",
            "Posts need a manager's approval",
            bool,
            {"owner": False, "manager": False, "responder": True, "viewer": True},
        ),
        AuthorityRule(
            "may_reply",
            "May reply to mentions from the inbox",
            bool,
            {"owner": True, "manager": True, "responder": True, "viewer": False},
        ),
        AuthorityRule(
            "may_connect_accounts",
            "May connect and disconnect network accounts",
            bool,
            {"owner": True, "manager": True, "responder": False, "viewer": False},
        ),
    ]
}


class Authority(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="authority")
    role = models.CharField(max_length=16, choices=Role.choices)
    key = models.CharField(max_length=64)
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "role", "key"], name="one_value_per_rule")
        ]
        verbose_name_plural = "authority"

    def __str__(self) -> str:
        return f"{self.workspace}: {self.role} {self.key}={self.value}"

    @classmethod
    def value_for(cls, workspace: Workspace, role: str, key: str) -> Any:
        rule = AUTHORITY_RULES[key]
        stored = cls.objects.filter(workspace=workspace, role=role, key=key).first()
        return stored.value if stored else rule.defaults[role]

    @classmethod
    def table(cls, workspace: Workspace) -> dict[str, dict[str, Any]]:
        """Every rule's value for every role: {key: {role: value}}."""
        table = {key: dict(rule.defaults) for key, rule in AUTHORITY_RULES.items()}
        for row in cls.objects.filter(workspace=workspace, key__in=AUTHORITY_RULES):
            table[row.key][row.role] = row.value
        return table
