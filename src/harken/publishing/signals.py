"""What publishing tells apps above it (the API's webhooks), without knowing them."""

from django.dispatch import Signal

#: ``variant`` was published (its state change just won).
variant_published = Signal()
#: ``variant`` failed for good, with ``error``.
variant_failed = Signal()
#: ``campaign``'s pledges reached its cap.
campaign_cap_reached = Signal()
