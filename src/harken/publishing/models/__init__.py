"""The publishing app's rows, one module per concern; importers use ``harken.publishing.models``."""

from harken.publishing.models.posts import (
    Category,
    Guidelines,
    Post,
    Stage,
    Variant,
    new_idempotency_key,
)

__all__ = ["Category", "Guidelines", "Post", "Stage", "Variant", "new_idempotency_key"]
