from harken.inbox.models.canned import CannedReply
from harken.inbox.models.conversation import Conversation
from harken.inbox.models.message import Message
from harken.inbox.models.tag import ReplyRules, Tag

__all__ = ["CannedReply", "Conversation", "Message", "ReplyRules", "Tag"]
