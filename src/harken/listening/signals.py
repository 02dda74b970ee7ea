"""What listening tells apps above it (the API's webhooks), without knowing them."""

from django.dispatch import Signal

#: A batch of new mentions (``mention_ids``) of ``workspace`` was stored; sent inside the
#: batch's transaction, so what receivers write commits with the mentions.
mentions_stored = Signal()
