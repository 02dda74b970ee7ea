from harken.inbox.models.assignment import AssignmentRule
from harken.inbox.models.canned import CannedReply
from harken.inbox.models.conversation import Conversation
from harken.inbox.models.message import Message
from harken.inbox.models.presence import Presence
from harken.inbox.models.saved_view import SavedView
from harken.inbox.models.sla import ServiceLevel
from harken.inbox.models.tag import ReplyRules, Tag

__all__ = [
    "AssignmentRule",
    "CannedReply",
    "Conversation",
    "Message",
    "Presence",
    "ReplyRules",
    "SavedView",
    "ServiceLevel",
    "Tag",
]
