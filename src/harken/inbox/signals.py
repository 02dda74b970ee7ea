"""What the inbox tells apps above it (the API's webhooks), without knowing them.

Each signal is sent where the change is written, inside its transaction when there is
one, so a receiver's rows commit or roll back with the change itself.
"""

from django.dispatch import Signal

#: ``conversation`` was assigned to ``assignee`` (a Member, or None: unassigned).
conversation_assigned = Signal()
#: ``conversation`` was resolved.
conversation_resolved = Signal()
#: ``message``, a reply, reached ``state`` (held, sent or failed).
reply_changed = Signal()
