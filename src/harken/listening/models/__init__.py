from harken.listening.models.alert import (
    AlertDestination,
    AlertDigest,
    AlertEvent,
    AlertRule,
    Delivery,
)
from harken.listening.models.author import Author
from harken.listening.models.mention import Mention
from harken.listening.models.source import Source
from harken.listening.models.topic import Topic

__all__ = ["Author", "Mention", "Source", "Topic"]
__all__ += ["AlertDestination", "AlertDigest", "AlertEvent", "AlertRule", "Delivery"]
