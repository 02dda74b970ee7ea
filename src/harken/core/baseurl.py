"""The public base URL that links in alerts, invitations and emails start with.

``HARKEN_BASE_URL`` says it when set. When it is not, ``harken serve`` adopts the address it
listens on (``--host``/``--port``), in its own settings and in the environment its worker
children inherit, so an alert sent by the worker links to the server that is running
rather than to the default port.
"""

from __future__ import annotations

import os
import socket

from django.conf import settings

ENV = "HARKEN_BASE_URL"

#: Addresses that mean "every interface": no one can open a link to them.
WILDCARDS = {"", "0.0.0.0", "::", "[::]"}  # noqa: S104 (recognised, not bound)


def served_base_url(host: str, port: int) -> str:
    """``http://host:port`` for a server bound to ``host``/``port``."""
    if host in WILDCARDS:
        host = socket.gethostname()  # reachable on the network, unlike 0.0.0.0
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def adopt_served_base_url(host: str, port: int) -> str:
    """The base URL in force, set from ``host``/``port`` unless ``HARKEN_BASE_URL`` is set."""
    if os.environ.get(ENV, "").strip():
        return str(settings.BASE_URL)
    url = served_base_url(host, port)
    os.environ[ENV] = url  # the worker and listener children read it at start
    settings.BASE_URL = url
    return url
