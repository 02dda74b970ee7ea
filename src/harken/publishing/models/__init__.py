"""The publishing app's rows, one module per concern; importers use ``harken.publishing.models``."""

from harken.publishing.models.calendar import (
    CalendarSettings,
    Event,
    FeedToken,
    Occurrence,
    QueueSlot,
    Series,
)
from harken.publishing.models.posts import (
    Category,
    Guidelines,
    Post,
    Stage,
    Variant,
    new_idempotency_key,
)

__all__ = [
    "CalendarSettings",
    "Event",
    "FeedToken",
    "Occurrence",
    "QueueSlot",
    "Series",
    "Category",
    "Guidelines",
    "Post",
    "Stage",
    "Variant",
    "new_idempotency_key",
]
