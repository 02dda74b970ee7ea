"""What networks tells the apps above it, without knowing them (DESIGN.md, "Shape").

Both are sent inside the transaction that changed the account, so what a receiver
writes is saved with the account or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

#: An account was connected or reconnected with fresh credentials and is active.
#: Arguments: ``account``, and ``created`` (False for a reconnect).
account_connected = Signal()

#: An account was disconnected: its credentials are wiped and it is disabled.
#: Argument: ``account``.
account_disconnected = Signal()

#: The network announced news on an account (a webhook): read it now rather than at the
#: next poll. Argument: ``account``. Sent outside any transaction.
account_activity = Signal()
