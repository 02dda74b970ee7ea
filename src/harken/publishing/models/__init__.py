"""The publishing app's rows, one module per concern; importers use ``harken.publishing.models``."""

from harken.publishing.models.approvals import ApprovalComment, ReviewLink
from harken.publishing.models.calendar import (
    CalendarSettings,
    Event,
    FeedToken,
    Occurrence,
    QueueSlot,
    Series,
)
from harken.publishing.models.feeds import DraftFeed
from harken.publishing.models.links import Campaign, Click, ClickSalt, Link
from harken.publishing.models.media import Media
from harken.publishing.models.posts import (
    Category,
    Guidelines,
    Post,
    Stage,
    Variant,
    new_idempotency_key,
)

__all__ = [
    "ApprovalComment",
    "ReviewLink",
    "CalendarSettings",
    "Event",
    "FeedToken",
    "Occurrence",
    "QueueSlot",
    "Series",
    "Category",
    "DraftFeed",
    "Guidelines",
    "Media",
    "Campaign",
    "Click",
    "ClickSalt",
    "Link",
    "Post",
    "Stage",
    "Variant",
    "new_idempotency_key",
]
