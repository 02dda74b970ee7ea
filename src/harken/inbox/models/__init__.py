from harken.inbox.models.conversation import Conversation

__all__ = ["Conversation"]
