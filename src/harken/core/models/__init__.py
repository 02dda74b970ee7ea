from harken.core.models.audit import AuditEntry
from harken.core.models.authority import AUTHORITY_RULES, Authority
from harken.core.models.heartbeat import Heartbeat
from harken.core.models.invitation import Invitation
from harken.core.models.member import Member, Role
from harken.core.models.notification import (
    Notification,
    NotificationDelivery,
    NotificationSettings,
)
from harken.core.models.throttle import Throttle
from harken.core.models.workspace import Workspace, WorkspaceOwned

__all__ = [
    "AUTHORITY_RULES",
    "AuditEntry",
    "Authority",
    "Heartbeat",
    "Invitation",
    "Member",
    "Notification",
    "NotificationDelivery",
    "NotificationSettings",
    "Role",
    "Throttle",
    "Workspace",
    "WorkspaceOwned",
]
