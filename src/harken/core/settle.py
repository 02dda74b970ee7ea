"""Settle a web process once its first request is answered.

What a process builds to answer its first request (modules, URL patterns, compiled
templates, caches) lives as long as the process, and Python's full collections walk all
of it every dozen requests or so: 140 ms each time on the analytics dashboard, which
made its slowest tenth of requests two and a half times its median. Frozen after the
first request (``gc.freeze``), those objects are never walked again; what later requests
leave behind is collected as before.

After the first request, not at start-up: the server answers its first request as soon
as it can, and nothing is imported only to be frozen.
"""

from __future__ import annotations

import gc
from typing import Any

from django.core.signals import request_finished

UID = "harken.core.settle"


def settle_after_first_request() -> None:
    request_finished.connect(_settle, dispatch_uid=UID)


def _settle(**_: Any) -> None:
    request_finished.disconnect(dispatch_uid=UID)
    # Collected first: what the request left as garbage would otherwise be frozen too.
    gc.collect()
    gc.freeze()
